"""Background work on certificates: render each PDF once, store it, email it to the attendee.

Tasks take certificate ids and work through them CHUNK_SIZE at a time, so a course of a few
hundred attendees renders in bounded memory. Each task can run again safely: rendering
replaces the stored PDF, and delivery skips certificates already emailed.
"""

import logging
from collections.abc import Iterable
from itertools import batched
from smtplib import SMTPException
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.tasks import task
from django.utils import timezone

from certification.certificates.links import pdf_filename, verification_url
from certification.certificates.models import Certificate
from certification.certificates.rendering import CHUNK_SIZE, render_certificates_pdf
from certification.core.emails import render_email
from certification.core.tasks import RETRY_BASE_DELAY, build_message, deliver_email

logger = logging.getLogger(__name__)


def _chunks(certificate_ids: Iterable[int]) -> Iterable[list[Certificate]]:
    for ids in batched(sorted(set(certificate_ids)), CHUNK_SIZE):
        yield list(_certificates(ids))


def _certificates(ids: Iterable[int]) -> QuerySet[Certificate]:
    return (
        Certificate.objects.filter(pk__in=list(ids))
        .select_related("course__organisation")
        .order_by("pk")
    )


def store_pdf(certificate: Certificate, pdf: bytes) -> bool:
    """Store the new PDF, then delete the file it replaces.

    A PDF rendered while the certificate was being revoked shows the old status: it is
    thrown away (the revocation renders its own), and False is returned.
    """
    storage = certificate.pdf.storage
    field = Certificate._meta.get_field("pdf")
    name = storage.save(
        field.generate_filename(certificate, pdf_filename(certificate)), ContentFile(pdf)
    )
    now = timezone.now()
    with transaction.atomic():
        current = (
            Certificate.objects.select_for_update().only("status", "pdf").get(pk=certificate.pk)
        )
        stored = current.status == certificate.status
        if stored:
            Certificate.objects.filter(pk=certificate.pk).update(pdf=name, pdf_rendered_at=now)
    if not stored:
        storage.delete(name)
        certificate.status = current.status
        return False
    old_name = current.pdf.name
    if old_name and old_name != name:
        storage.delete(old_name)
    certificate.pdf.name, certificate.pdf_rendered_at = name, now
    return True


def _render_and_store(certificates: list[Certificate]) -> int:
    pdfs = render_certificates_pdf(certificates)
    return sum(
        store_pdf(certificate, pdf) for certificate, pdf in zip(certificates, pdfs, strict=True)
    )


def certificate_email(certificate: Certificate) -> dict[str, Any]:
    """The message that brings an attendee their certificate, in the certificate's language."""
    snapshot = certificate.snapshot
    organisation = certificate.course.organisation
    rendered = render_email(
        "certificate_issued",
        {
            "name": snapshot["name"],
            "organisation": snapshot["organisation"],
            "course_title": snapshot["course_title"],
            "kind_label": Certificate.Kind(snapshot["kind"]).label,
            "code": certificate.code,
            "verify_url": verification_url(certificate.code),
            "can_reply": bool(organisation.contact_email),
        },
        language=snapshot["language"],
    )
    return {
        **rendered,
        "to": [snapshot["email"]],
        # Questions about the course go to the organisation that taught it.
        "reply_to": [organisation.contact_email] if organisation.contact_email else [],
        "from_email": settings.DEFAULT_FROM_EMAIL,
        "attachments": [
            {
                "path": certificate.pdf.name,
                "filename": pdf_filename(certificate),
                "mimetype": "application/pdf",
            }
        ],
        # A retry by core's deliver_email that succeeds marks the certificate as emailed.
        "on_sent": "certification.certificates.tasks.mark_emailed",
        "on_sent_args": [certificate.pk],
    }


def mark_emailed(certificate_id: int) -> None:
    Certificate.objects.filter(pk=certificate_id).update(
        email_sent_at=timezone.now(), email_error=""
    )


def deliver_certificate(certificate: Certificate) -> bool:
    """Email the stored PDF now; on a transport failure, record it and let core retry."""
    message = certificate_email(certificate)
    try:
        build_message(message).send()
    except (SMTPException, OSError) as error:
        certificate.email_error = f"{type(error).__name__}: {error}"[:300]
        certificate.save(update_fields=["email_error"])
        logger.warning("Certificate %s could not be emailed: %s", certificate.code, error)
        if settings.EMAIL_TASK_MAX_ATTEMPTS > 1:
            retry = deliver_email
            if deliver_email.get_backend().supports_defer:
                retry = deliver_email.using(run_after=timezone.now() + RETRY_BASE_DELAY)
            retry.enqueue(message, attempt=2)
        return False
    certificate.email_sent_at, certificate.email_error = timezone.now(), ""
    certificate.save(update_fields=["email_sent_at", "email_error"])
    return True


@task()
def render_certificates(certificate_ids: list[int]) -> int:
    """Render and store the PDFs again (after a revocation, or a change of design)."""
    rendered = 0
    for certificates in _chunks(certificate_ids):
        rendered += _render_and_store(certificates)
    return rendered


@task()
def render_and_deliver(certificate_ids: list[int]) -> int:
    """Newly issued certificates: render each PDF once, store it, email it to the attendee."""
    sent = 0
    for certificates in _chunks(certificate_ids):
        _render_and_store([certificate for certificate in certificates if not certificate.pdf])
        for certificate in certificates:
            if certificate.is_valid and certificate.pdf and certificate.email_sent_at is None:
                sent += deliver_certificate(certificate)
    return sent


@task()
def resend_certificate(certificate_id: int) -> bool:
    """Email one valid certificate again, for example when the attendee lost the message."""
    certificate = _certificates([certificate_id]).get()
    if not certificate.is_valid:
        return False
    if not certificate.pdf:
        _render_and_store([certificate])
    return certificate.is_valid and deliver_certificate(certificate)
