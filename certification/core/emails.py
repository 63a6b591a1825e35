"""Sending email from templates, translated, after the transaction commits.

Each message has three templates under `templates/emails/`: `<name>_subject.txt`,
`<name>.txt` and `<name>.html`. They are rendered now, in the recipient's language, and
handed to the `deliver_email` task once the surrounding transaction has committed, so a
rolled-back change never sends mail.
"""

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from certification.core.tasks import deliver_email


def render_email(
    template_name: str, context: Mapping[str, Any], *, language: str | None = None
) -> dict[str, str]:
    full_context = {
        "site_url": settings.SITE_URL,
        "programme_name": settings.PROGRAMME_NAME,
        **context,
    }
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{template_name}_subject.txt", full_context)
        return {
            "subject": " ".join(subject.split()),
            "text": render_to_string(f"emails/{template_name}.txt", full_context),
            "html": render_to_string(f"emails/{template_name}.html", full_context),
        }


_quiet: ContextVar[bool] = ContextVar("emails_quiet", default=False)


@contextmanager
def quiet() -> Iterator[None]:
    """Send no email while inside: for loading demo data or bulk imports, never for people."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def queue_email(message: Mapping[str, Any]) -> None:
    """Hand a rendered message to the delivery task once the transaction commits."""
    if _quiet.get():
        return
    payload = dict(message)
    transaction.on_commit(lambda: deliver_email.enqueue(payload))


def send_templated_email(
    template_name: str,
    *,
    to: Sequence[str],
    context: Mapping[str, Any],
    language: str | None = None,
    reply_to: Sequence[str] = (),
    attachments: Sequence[Mapping[str, str]] = (),
) -> None:
    """Render and queue one message. `attachments` name files in the default storage:
    `{"path": ..., "filename": ..., "mimetype": ...}`."""
    rendered = render_email(template_name, context, language=language)
    queue_email(
        {
            **rendered,
            "to": list(to),
            "reply_to": list(reply_to),
            "from_email": settings.DEFAULT_FROM_EMAIL,
            "attachments": [dict(attachment) for attachment in attachments],
        }
    )


def queue_django_message(email: EmailMultiAlternatives) -> None:
    """Queue a message that a library rendered (allauth's) through the same delivery path."""
    html = next(
        (content for content, mimetype in email.alternatives if mimetype == "text/html"), ""
    )
    queue_email(
        {
            "subject": str(email.subject),
            "text": str(email.body),
            "html": str(html),
            "to": list(email.to),
            "reply_to": list(email.reply_to),
            "from_email": settings.DEFAULT_FROM_EMAIL,
        }
    )
