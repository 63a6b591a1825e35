import uuid
from datetime import datetime, timedelta
from typing import Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.accounts.models import User
from certification.certificates.codes import new_code
from certification.training.models import Attendee, Course


class CertificateQuerySet(models.QuerySet["Certificate"]):
    def for_verification(self) -> Self:
        """Everything the verification page shows is in the snapshot: one query."""
        return self.select_related("replaced_by").only(
            "code",
            "kind",
            "status",
            "snapshot",
            "issued_at",
            "revoked_at",
            "revocation_reason",
            "replaced_by__code",
        )


def certificate_pdf_path(instance: "Certificate", filename: str) -> str:
    return f"certificates/{instance.course.organisation_id}/{uuid.uuid4().hex}/{filename}"


class Certificate(models.Model):
    """An official QGIS certificate. Never deleted: a revoked one stays, marked revoked."""

    class Kind(models.TextChoices):
        COMPLETION = "completion", _("Certificate of completion")
        ATTENDANCE = "attendance", _("Certificate of attendance")

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")

    code = models.CharField(_("code"), max_length=32, unique=True, default=new_code, editable=False)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certificates")
    attendee = models.ForeignKey(Attendee, on_delete=models.PROTECT, related_name="certificates")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.VALID
    )
    # Everything printed on the certificate, frozen when it was issued.
    snapshot = models.JSONField(_("printed details"))
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True, db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces"
    )
    pdf = models.FileField(_("PDF"), upload_to=certificate_pdf_path, blank=True, max_length=300)
    pdf_rendered_at = models.DateTimeField(_("PDF ready"), null=True, blank=True)
    email_sent_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    email_error = models.CharField(_("delivery problem"), max_length=300, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            # One valid certificate per attendee and course; a replaced one is revoked first.
            models.UniqueConstraint(
                fields=["course", "attendee"],
                condition=models.Q(status="valid"),
                name="one_valid_certificate_per_attendee_and_course",
            ),
            models.CheckConstraint(
                condition=models.Q(status="valid", revoked_at__isnull=True)
                | models.Q(status="revoked", revoked_at__isnull=False),
                name="revoked_certificates_have_a_date",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["completion", "attendance"]),
                name="certificate_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.VALID

    @property
    def revocation_deadline(self) -> datetime:
        """Until then its organisation may revoke it; after, only the certification team."""
        return self.issued_at + timedelta(days=settings.CERTIFICATE_REVOCATION_DAYS)

    def within_revocation_window(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) <= self.revocation_deadline

    @property
    def free_reissue_until(self) -> datetime:
        """Until then a name correction costs no credit; after, the replacement costs one."""
        return self.issued_at + timedelta(days=settings.CERTIFICATE_FREE_REISSUE_DAYS)

    def reissue_is_free(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) <= self.free_reissue_until

    def revoke(
        self,
        reason: str,
        *,
        by: User | None,
        at: datetime | None = None,
        replaced_by: "Certificate | None" = None,
    ) -> None:
        """Mark it revoked, keeping the row; the caller holds its row lock and audits it."""
        self.status = self.Status.REVOKED
        self.revoked_at = at or timezone.now()
        self.revoked_by = by
        self.revocation_reason = reason
        self.replaced_by = replaced_by
        self.save(
            update_fields=["status", "revoked_at", "revoked_by", "revocation_reason", "replaced_by"]
        )
