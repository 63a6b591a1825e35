"""Background tasks of the core app: email delivery with retries."""

import logging
from datetime import timedelta
from smtplib import SMTPException
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

RETRY_BASE_DELAY = timedelta(minutes=1)


def build_message(message: dict[str, Any]) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["text"],
        from_email=message.get("from_email") or settings.DEFAULT_FROM_EMAIL,
        to=message["to"],
        reply_to=message.get("reply_to") or None,
        headers=message.get("headers") or None,
    )
    if message.get("html"):
        email.attach_alternative(message["html"], "text/html")
    for attachment in message.get("attachments", []):
        # Files are read from storage at sending time: the task payload stays small.
        with default_storage.open(attachment["path"], "rb") as handle:
            email.attach(attachment["filename"], handle.read(), attachment["mimetype"])
    return email


@task()
def deliver_email(message: dict[str, Any], attempt: int = 1) -> None:
    """Send one rendered message; on a transport failure, try again later with backoff."""
    try:
        build_message(message).send()
        # Whoever queued the message may want to know it went out (a certificate's status).
        if message.get("on_sent"):
            import_string(message["on_sent"])(*message.get("on_sent_args", []))
    except (SMTPException, OSError) as exc:
        if attempt >= settings.EMAIL_TASK_MAX_ATTEMPTS:
            logger.error("Giving up on email to %s after %s attempts", message["to"], attempt)
            raise
        logger.warning("Email to %s failed (attempt %s): %s", message["to"], attempt, exc)
        retry = deliver_email
        if deliver_email.get_backend().supports_defer:
            retry = deliver_email.using(
                run_after=timezone.now() + RETRY_BASE_DELAY * 2 ** (attempt - 1)
            )
        retry.enqueue(message, attempt=attempt + 1)
