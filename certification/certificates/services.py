"""Issuing, revoking, re-issuing and resending certificates.

Each service first requires its rule (`certificates/rules.py`) of the person acting, so that
no caller can go around it. Issuing is one transaction: every chosen certificate or none,
one credit each from the append-only ledger (locked, so two people issuing at once cannot
overspend), and never a second valid certificate for the same attendee and course (a
database constraint too). PDFs and emails follow in the background once the transaction has
committed.
"""

from collections.abc import Sequence
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from certification.accounts.models import User
from certification.accounts.permissions import can, require
from certification.billing import ledger as billing
from certification.certificates import tasks
from certification.certificates.links import verification_page_cache_key
from certification.certificates.models import Certificate
from certification.certificates.printing import printed_fields_for
from certification.certificates.rules import issue_blocked_reason
from certification.core import pagecache
from certification.core.audit import record_event, record_events
from certification.training.models import Attendee, Course


class CertificateError(Exception):
    """A certificate step that is not allowed now; the message says why."""


def issue_certificates(
    course: Course, selections: Sequence[tuple[Attendee, str]], *, by: User
) -> list[Certificate]:
    """Issue one certificate of the given kind to each chosen attendee of the course."""
    require(by, "certificate.issue", course)
    if not selections:
        raise CertificateError(_("Choose at least one attendee."))
    if any(kind not in Certificate.Kind.values for _attendee, kind in selections):
        raise CertificateError(_("Choose completion or attendance for each attendee."))
    attendee_ids = [attendee.pk for attendee, _kind in selections]
    if len(set(attendee_ids)) != len(attendee_ids):
        raise CertificateError(_("Each attendee can be chosen once."))
    with transaction.atomic():
        course = Course.objects.select_related(
            "organisation", "course_type", "training_centre"
        ).get(pk=course.pk)
        if blocked := issue_blocked_reason(course):
            raise CertificateError(blocked)
        if Attendee.objects.filter(pk__in=attendee_ids).exclude(course=course).exists():
            raise CertificateError(_("Every attendee must be on this course."))
        # The ledger lock comes first: whoever issues second waits here, then sees the result.
        billing.lock_account(course.organisation)
        already = set(
            Certificate.objects.filter(
                course=course, attendee_id__in=attendee_ids, status=Certificate.Status.VALID
            ).values_list("attendee__name", flat=True)
        )
        if already:
            raise CertificateError(
                _("These attendees already have a certificate for this course: %(names)s.")
                % {"names": ", ".join(sorted(already))}
            )
        trainers = [trainer.name for trainer in course.trainers.all()]
        certificates = [
            Certificate(
                course=course,
                attendee=attendee,
                kind=kind,
                issued_by=by,
                snapshot=printed_fields_for(course, attendee, kind, trainers),
            )
            for attendee, kind in selections
        ]
        try:
            billing.spend_for_certificates(
                course.organisation, [certificate.code for certificate in certificates], by=by
            )
        except billing.CreditError as error:
            raise CertificateError(str(error)) from error
        try:
            with transaction.atomic():
                created = Certificate.objects.bulk_create(certificates)
        except IntegrityError as error:
            raise CertificateError(
                _("Another person has just issued certificates for some of these attendees.")
            ) from error
        record_events(
            "certificate.issued", actor=by, targets=created, data={"course": str(course.public_id)}
        )
        record_event(
            "course.certificates_issued", actor=by, target=course, data={"count": len(created)}
        )
        ids = [certificate.pk for certificate in created]
        transaction.on_commit(lambda: _start_delivery(ids))
    return created


def _start_delivery(certificate_ids: list[int]) -> None:
    tasks.render_and_deliver.enqueue(certificate_ids)


def _start_rendering(certificate_ids: list[int]) -> None:
    tasks.render_certificates.enqueue(certificate_ids)


def _require_revocation(by: User, certificate: Certificate) -> None:
    if not can(by, "certificate.revoke", certificate) and can(
        by, "certificate.issue", certificate.course
    ):
        # Its organisation, after the window: say who can still revoke it, not just "no".
        raise CertificateError(
            _("Only the certification team can revoke a certificate after %(days)s days.")
            % {"days": settings.CERTIFICATE_REVOCATION_DAYS}
        )
    require(by, "certificate.revoke", certificate)


def revoke_certificate(
    certificate: Certificate, *, by: User, reason: str, replaced_by: Certificate | None = None
) -> None:
    """Revoke a valid certificate, as the rule "certificate.revoke" allows `by` to."""
    if not reason.strip():
        raise CertificateError(_("Give the reason for the revocation."))
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("course__organisation")
            .get(pk=certificate.pk)
        )
        if not certificate.is_valid:
            raise CertificateError(_("This certificate is already revoked."))
        _require_revocation(by, certificate)
        certificate.revoke(reason.strip(), by=by, replaced_by=replaced_by)
        record_event(
            "certificate.revoked",
            actor=by,
            target=certificate,
            data={"reason": reason.strip(), "replaced_by": replaced_by.code if replaced_by else ""},
        )

        def after_commit() -> None:
            # The verification page says REVOKED from now on, and so does a downloaded PDF.
            pagecache.forget(verification_page_cache_key(certificate.code))
            _start_rendering([certificate.pk])

        transaction.on_commit(after_commit)


def reissue_certificate(certificate: Certificate, *, by: User, name: str) -> Certificate:
    """A new certificate with a corrected name replaces the old one, which is revoked.

    It is free within CERTIFICATE_FREE_REISSUE_DAYS of the original; later it costs a credit.
    """
    name = " ".join(name.split())
    if not name:
        raise CertificateError(_("Give the name as it should be printed."))
    with transaction.atomic():
        old = (
            Certificate.objects.select_for_update()
            .select_related("course__organisation", "attendee")
            .get(pk=certificate.pk)
        )
        require(by, "certificate.reissue", old)
        if not old.is_valid:
            raise CertificateError(_("Only a valid certificate can be re-issued."))
        if name == old.snapshot.get("name"):
            raise CertificateError(_("The name is the same as on the certificate."))
        free = old.reissue_is_free()
        attendee = old.attendee
        attendee.name = name
        attendee.save(update_fields=["name"])
        # Revoked before the replacement exists: one valid certificate per attendee and course.
        old.revoke(_("Replaced to correct the name."), by=by)
        new = Certificate.objects.create(
            course=old.course,
            attendee=attendee,
            kind=old.kind,
            issued_by=by,
            snapshot={**old.snapshot, "name": name},
        )
        if free:
            # The replacement takes over the credit of the one it replaces.
            billing.refund_certificate(
                old.course.organisation,
                old.code,
                by=by,
                reason=_("Re-issued as %(code)s") % {"code": new.code},
            )
        try:
            billing.spend_for_certificates(old.course.organisation, [new.code], by=by)
        except billing.CreditError as error:
            raise CertificateError(str(error)) from error
        old.replaced_by = new
        old.save(update_fields=["replaced_by"])
        record_event(
            "certificate.reissued",
            actor=by,
            target=old,
            data={"replaced_by": new.code, "free": free},
        )
        record_events("certificate.issued", actor=by, targets=[new], data={"replaces": old.code})

        def after_commit() -> None:
            pagecache.forget(verification_page_cache_key(old.code))
            _start_delivery([new.pk])
            _start_rendering([old.pk])

        transaction.on_commit(after_commit)
    return new


def resend_certificate(certificate: Certificate, *, by: User) -> bool:
    """Email the certificate to its attendee again, in the background.

    False when its PDF is still being made: it is emailed as soon as it is ready anyway.
    """
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("course__organisation")
            .get(pk=certificate.pk)
        )
        require(by, "certificate.resend", certificate)
        if not certificate.is_valid:
            raise CertificateError(_("A revoked certificate is not sent again."))
        if certificate.pdf_rendered_at is None:
            return False
        record_event("certificate.resend_requested", actor=by, target=certificate)
        transaction.on_commit(partial(tasks.resend_certificate.enqueue, certificate.pk))
    return True
