from typing import Any

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def certified(self) -> "OrganisationQuerySet":
        return self.filter(status=Organisation.Status.CERTIFIED)

    def for_member(self, user: Any) -> "OrganisationQuerySet":
        return self.filter(memberships__user=user).distinct()


class Organisation(models.Model):
    """A training organisation: an applicant, and once approved, QGIS certified."""

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        CERTIFIED = "certified", _("Certified")
        SUSPENDED = "suspended", _("Suspended")
        ARCHIVED = "archived", _("Archived")

        @classmethod
        def overseen(cls) -> tuple["Organisation.Status", ...]:
            """What the certification team oversees: every status since certification."""
            return (cls.CERTIFIED, cls.SUSPENDED, cls.ARCHIVED)

    legal_name = models.CharField(_("legal name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    country = CountryField(_("country"))
    address = models.TextField(_("address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=32, blank=True)
    logo = models.ImageField(
        _("logo"),
        upload_to="logos/",
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg", "webp"])],
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.APPLICANT
    )
    status_reason = models.TextField(_("reason for the status"), blank=True)
    certified_at = models.DateTimeField(_("certified on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(
                Lower("legal_name"), name="organisation_legal_name_unique_ignoring_case"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["applicant", "certified", "suspended", "archived"]),
                name="organisation_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def is_certified(self) -> bool:
        return self.status == self.Status.CERTIFIED


class MembershipQuerySet(models.QuerySet["Membership"]):
    def for_user(self, user: Any) -> "MembershipQuerySet":
        return self.filter(user=user).select_related("organisation")


class Membership(models.Model):
    """A person's role in one organisation."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MANAGER = "manager", _("Manager")
        TRAINER = "trainer", _("Trainer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__legal_name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_each"),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "manager", "trainer"]),
                name="membership_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organisation}"


# Higher roles can do everything lower roles can.
ROLE_RANK = {Membership.Role.TRAINER: 1, Membership.Role.MANAGER: 2, Membership.Role.OWNER: 3}


def role_at_least(role: str | None, minimum: str) -> bool:
    return (
        role is not None and ROLE_RANK[Membership.Role(role)] >= ROLE_RANK[Membership.Role(minimum)]
    )


class MembershipInvitation(models.Model):
    """An invitation, sent by email, to join an organisation with a role."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation} ({self.get_role_display()})"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.cancelled_at is None
            and self.expires_at > timezone.now()
        )
