"""Issuing, revoking and re-issuing certificates.

Issuing is one transaction: every chosen certificate or none, one credit each from the
append-only ledger (locked, so two people issuing at once cannot overspend), and never a
second valid certificate for the same attendee and course (a database constraint too).
PDFs and emails follow in the background once the transaction has committed.
"""

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.accounts.permissions import acts_as
from certification.accounts.roles import GlobalRole
from certification.billing import ledger as billing
from certification.certificates.models import Certificate
from certification.core import pagecache
from certification.core.audit import record_event, record_events
from certification.organisations.models import Organisation
from certification.training.models import Attendee, Course, CourseType

PRINT_LANGUAGES = {code for code, _name in settings.LANGUAGES}


class CertificateError(Exception):
    """A certificate step that is not allowed now; the message says why."""


def print_language(course: Course) -> str:
    """Certificates are printed in the course's language where the platform speaks it."""
    return course.language if course.language in PRINT_LANGUAGES else settings.LANGUAGE_CODE


def snapshot_for(
    course: Course, attendee: Attendee, kind: str, trainers: list[str]
) -> dict[str, Any]:
    centre = course.training_centre
    return {
        "name": attendee.name,
        "email": attendee.email,
        "kind": kind,
        "course_title": course.course_type.title,
        "hours": course.course_type.hours,
        "qgis_version": course.course_type.qgis_version,
        "starts_on": course.starts_on.isoformat(),
        "ends_on": course.ends_on.isoformat(),
        "online": course.online,
        "place": f"{centre.name}, {centre.city}" if centre else "",
        "country": str(centre.country.code) if centre else "",
        "trainers": trainers,
        "organisation": course.organisation.legal_name,
        "organisation_slug": course.organisation.slug,
        "language": print_language(course),
    }


def _check_course(course: Course) -> None:
    if course.organisation.status != Organisation.Status.CERTIFIED:
        raise CertificateError(_("Only a certified organisation issues certificates."))
    if course.course_type.status != CourseType.Status.APPROVED:
        raise CertificateError(_("Certificates are issued only for courses of an approved type."))


def issue_certificates(
    course: Course, selections: Sequence[tuple[Attendee, str]], *, by: Any
) -> list[Certificate]:
    """Issue one certificate of the given kind to each chosen attendee of the course."""
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
        _check_course(course)
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
                snapshot=snapshot_for(course, attendee, kind, trainers),
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
    from certification.certificates.tasks import render_and_deliver

    render_and_deliver.enqueue(certificate_ids)


def free_reissue_until(certificate: Certificate) -> Any:
    """Until then a name correction costs no credit; after, the replacement costs one."""
    return certificate.issued_at + timedelta(days=settings.CERTIFICATE_FREE_REISSUE_DAYS)


def revocation_deadline(certificate: Certificate) -> Any:
    return certificate.issued_at + timedelta(days=settings.CERTIFICATE_REVOCATION_DAYS)


def may_revoke(user: Any, certificate: Certificate, *, now: Any = None) -> bool:
    """The certification team at any time; the organisation within the configured days."""
    if acts_as(user, GlobalRole.CERTIFICATION_TEAM):
        return True
    return (now or timezone.now()) <= revocation_deadline(certificate)


def revoke_certificate(
    certificate: Certificate, *, by: Any, reason: str, replaced_by: Certificate | None = None
) -> None:
    if not reason.strip():
        raise CertificateError(_("Give the reason for the revocation."))
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if not certificate.is_valid:
            raise CertificateError(_("This certificate is already revoked."))
        if not may_revoke(by, certificate):
            raise CertificateError(
                _("Only the certification team can revoke a certificate after %(days)s days.")
                % {"days": settings.CERTIFICATE_REVOCATION_DAYS}
            )
        certificate.status = Certificate.Status.REVOKED
        certificate.revoked_at = timezone.now()
        certificate.revoked_by = by
        certificate.revocation_reason = reason.strip()
        certificate.replaced_by = replaced_by
        certificate.save(
            update_fields=["status", "revoked_at", "revoked_by", "revocation_reason", "replaced_by"]
        )
        record_event(
            "certificate.revoked",
            actor=by,
            target=certificate,
            data={"reason": reason.strip(), "replaced_by": replaced_by.code if replaced_by else ""},
        )
        # The verification page says REVOKED from now on, and so does a downloaded PDF.
        transaction.on_commit(
            lambda: (
                pagecache.forget(verification_page(certificate.code)),
                _start_rendering([certificate.pk]),
            )
        )


def verification_page(code: str) -> str:
    """The name its public verification page is cached under (core.pagecache)."""
    return f"verify:{code}"


def _start_rendering(certificate_ids: list[int]) -> None:
    from certification.certificates.tasks import render_certificates

    render_certificates.enqueue(certificate_ids)


def reissue_certificate(certificate: Certificate, *, by: Any, name: str) -> Certificate:
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
        if not old.is_valid:
            raise CertificateError(_("Only a valid certificate can be re-issued."))
        if name == old.snapshot.get("name"):
            raise CertificateError(_("The name is the same as on the certificate."))
        free = timezone.now() <= old.issued_at + timedelta(
            days=settings.CERTIFICATE_FREE_REISSUE_DAYS
        )
        attendee = old.attendee
        attendee.name = name
        attendee.save(update_fields=["name"])
        old.status = Certificate.Status.REVOKED
        old.revoked_at = timezone.now()
        old.revoked_by = by
        old.revocation_reason = _("Replaced to correct the name.")
        old.save(update_fields=["status", "revoked_at", "revoked_by", "revocation_reason"])
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
        transaction.on_commit(
            lambda: (
                pagecache.forget(verification_page(old.code)),
                _start_delivery([new.pk]),
                _start_rendering([old.pk]),
            )
        )
    return new
