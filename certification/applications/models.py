import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from certification.accounts.models import User
from certification.organisations.models import Membership, Organisation
from certification.training.models import CourseType

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_application_code() -> str:
    """A short, unguessable public reference such as `APP-7K3M9QX2` (40 random bits)."""
    return "APP-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    INITIAL_REVIEW = "initial_review", _("Initial review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    COMMUNITY_REVIEW = "community_review", _("Community review")
    PSC_REVIEW = "psc_review", _("PSC review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")

    @classmethod
    def open(cls) -> tuple["Status", ...]:
        """Under way: an organisation has at most one application in these states."""
        return (
            cls.DRAFT,
            cls.SUBMITTED,
            cls.INITIAL_REVIEW,
            cls.CHANGES_REQUESTED,
            cls.COMMUNITY_REVIEW,
            cls.PSC_REVIEW,
        )

    @classmethod
    def open_past_draft(cls) -> tuple["Status", ...]:
        """Under way and sent in at least once: the open applications reviewers see."""
        return tuple(status for status in cls.open() if status != cls.DRAFT)

    @classmethod
    def closed(cls) -> tuple["Status", ...]:
        """Over for good: a later application is a new row."""
        return (cls.APPROVED, cls.REJECTED, cls.WITHDRAWN, cls.EXPIRED)

    @classmethod
    def decided(cls) -> tuple["Status", ...]:
        """Closed by the PSC's decision."""
        return (cls.APPROVED, cls.REJECTED)

    @classmethod
    def editable(cls) -> tuple["Status", ...]:
        """With the applicant, who may change it and submit it."""
        return (cls.DRAFT, cls.CHANGES_REQUESTED)

    @classmethod
    def review_steps(cls) -> tuple["Status", ...]:
        """The reviewers' steps, from each of which changes can be requested."""
        return (cls.INITIAL_REVIEW, cls.COMMUNITY_REVIEW, cls.PSC_REVIEW)


class ChecklistItem(models.TextChoices):
    """The points of the initial review: the keys of `Application.checklist`."""

    MATERIAL_CURRENT = (
        "material_current",
        _("The training material is current (a recent QGIS LTR)."),
    )
    ACCURATE = "accurate", _("The material represents QGIS accurately.")
    QUALITY = "quality", _("The material is of good quality.")
    CONTRIBUTIONS_VERIFIED = "contributions_verified", _("The contributions have been verified.")


@dataclass(frozen=True)
class MissingItem:
    """One thing that stops submission: which step of the application fixes it, and why."""

    step: str  # details, activity, contributions, course_types, material, declaration
    message: str
    course_type_id: int | None = None

    def __str__(self) -> str:
        return self.message


class ApplicationQuerySet(models.QuerySet["Application"]):
    def open(self) -> "ApplicationQuerySet":
        return self.filter(status__in=Status.open())

    def run_by(self, user: User) -> "ApplicationQuerySet":
        """The applications of the organisations the user owns or manages."""
        return self.filter(
            organisation__memberships__user=user,
            organisation__memberships__role__in=[Membership.Role.OWNER, Membership.Role.MANAGER],
        )

    def opinions_overdue(self, now: datetime | None = None) -> "ApplicationQuerySet":
        """In community review after the month for the user groups' opinions has passed."""
        return self.filter(
            status=Status.COMMUNITY_REVIEW, community_due_at__lte=now or timezone.now()
        )

    def for_queue(self) -> "ApplicationQuerySet":
        """What a review queue needs of each application, in a fixed number of queries."""
        return self.select_related("organisation").annotate(
            opinions_requested=models.Count(
                "opinion_requests",
                filter=models.Q(opinion_requests__round=models.F("review_round")),
                distinct=True,
            ),
            opinions_given=models.Count(
                "opinion_requests",
                filter=models.Q(
                    opinion_requests__round=models.F("review_round"),
                    opinion_requests__given_at__isnull=False,
                ),
                distinct=True,
            ),
        )


class Application(models.Model):
    """One organisation's request to be certified. A re-application is a new row."""

    Status = Status

    code = models.CharField(
        max_length=12, unique=True, default=new_application_code, editable=False
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    training_activity = models.TextField(
        _("your training activity"),
        blank=True,
        help_text=_(
            "Describe the QGIS training your organisation gives: audiences, formats, "
            "how often, and your trainers' experience."
        ),
    )
    course_types = models.ManyToManyField(CourseType, related_name="applications", blank=True)
    declaration_accepted_at = models.DateTimeField(_("declaration accepted"), null=True, blank=True)
    declaration_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Each submission after a change request starts a new review round.
    review_round = models.PositiveSmallIntegerField(default=0)
    checklist = models.JSONField(_("initial review checklist"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    community_due_at = models.DateTimeField(_("opinions due"), null=True, blank=True)
    expiry_warning_sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[value for value, _label in Status.choices]),
                name="application_status_valid",
            ),
            # An organisation has at most one application in progress at a time.
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(status__in=[str(status) for status in Status.open()]),
                name="one_open_application_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.organisation}"

    @property
    def is_editable(self) -> bool:
        return self.status in Status.editable()

    @property
    def is_open(self) -> bool:
        return self.status in Status.open()

    @property
    def is_closed(self) -> bool:
        return not self.is_open

    def opinions_overdue(self, now: datetime | None = None) -> bool:
        """In community review after the month for the user groups' opinions has passed."""
        return (
            self.status == Status.COMMUNITY_REVIEW
            and self.community_due_at is not None
            and self.community_due_at <= (now or timezone.now())
        )

    def missing_for_submission(
        self,
        *,
        contributions: list["Contribution"] | None = None,
        course_types: list[CourseType] | None = None,
    ) -> list[MissingItem]:
        """What still stops the application from being submitted, in words for the applicant.

        This is the one rule of a complete application: nothing is missing. A page that has
        loaded the contributions, or the course types with their materials, passes them in
        to spare the queries.
        """
        missing = []
        organisation = self.organisation
        if not (organisation.address and organisation.contact_email and organisation.website):
            missing.append(
                MissingItem(
                    "details", gettext("The organisation's address, contact email and website.")
                )
            )
        if not self.training_activity.strip():
            missing.append(
                MissingItem("activity", gettext("A description of your training activity."))
            )
        if not (self.contributions.exists() if contributions is None else contributions):
            missing.append(
                MissingItem("contributions", gettext("At least one contribution to QGIS."))
            )
        if course_types is None:
            material_counts = list(
                self.course_types.annotate(material_count=models.Count("materials")).values_list(
                    "pk", "title", "material_count"
                )
            )
        else:
            material_counts = [(t.pk, t.title, len(t.materials.all())) for t in course_types]
        if not material_counts:
            missing.append(MissingItem("course_types", gettext("At least one course type.")))
        for pk, title, material_count in material_counts:
            if not material_count:
                missing.append(
                    MissingItem(
                        "material",
                        gettext("Training material for the course type “%(title)s”.")
                        % {"title": title},
                        course_type_id=pk,
                    )
                )
        if self.declaration_accepted_at is None:
            missing.append(MissingItem("declaration", gettext("The declaration.")))
        return missing


class Contribution(models.Model):
    """One contribution of the organisation to QGIS, in one of the programme's categories."""

    class Category(models.TextChoices):
        DEVELOPMENT = "development", _("Development of QGIS")
        DOCUMENTATION = "documentation", _("Documentation and training material")
        TRANSLATION = "translation", _("Translation")
        PLUGINS = "plugins", _("Plugins")
        BUG_REPORTS = "bug_reports", _("Bug reports")
        FEATURE_FUNDING = "feature_funding", _("Funding of new features")
        SPONSORSHIP = "sponsorship", _("Financial contributions and sponsorship")
        USER_GROUP = "user_group", _("Local user group involvement")
        OPEN_COURSE_MATERIAL = "open_course_material", _("Open course material")
        BOOKS = "books", _("QGIS books")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="contributions"
    )
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    description = models.TextField(_("description"))
    start_year = models.PositiveSmallIntegerField(
        _("since (year)"), validators=[MinValueValidator(2002), MaxValueValidator(2100)]
    )
    end_year = models.PositiveSmallIntegerField(
        _("until (year)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2002), MaxValueValidator(2100)],
        help_text=_("Leave empty if it is ongoing."),
    )
    evidence_links = models.JSONField(_("evidence links"), default=list, blank=True)
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["category", "-start_year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__isnull=True)
                | models.Q(end_year__gte=models.F("start_year")),
                name="contribution_period_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.description[:60]}"

    @property
    def period(self) -> str:
        if self.end_year is None:
            return f"{self.start_year}–"
        if self.end_year == self.start_year:
            return str(self.start_year)
        return f"{self.start_year}–{self.end_year}"


class UserGroup(models.Model):
    """A local QGIS user group: it gives opinions on applications from its countries."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    countries = CountryField(_("countries"), multiple=True)
    website = models.URLField(_("website"), blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="user_groups", blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("user group")
        verbose_name_plural = _("user groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def _overdue(now: datetime) -> models.Q:
    return models.Q(given_at__isnull=True, due_at__lte=now)


class OpinionRequestQuerySet(models.QuerySet["OpinionRequest"]):
    def awaited(self) -> "OpinionRequestQuerySet":
        """Not given yet, and asked in the community review under way (`is_awaited`)."""
        return self.filter(
            given_at__isnull=True,
            application__status=Status.COMMUNITY_REVIEW,
            round=models.F("application__review_round"),
        )

    def overdue(self, now: datetime | None = None) -> "OpinionRequestQuerySet":
        """Not given by their due date (`is_overdue`)."""
        return self.filter(_overdue(now or timezone.now()))

    def due_within(self, period: timedelta, *, now: datetime) -> "OpinionRequestQuerySet":
        """Not overdue yet, but due before `period` has passed."""
        return self.exclude(_overdue(now)).filter(due_at__lte=now + period)


class OpinionRequest(models.Model):
    """One user group's opinion on one application, in one review round."""

    class Verdict(models.TextChoices):
        RECOMMEND = "recommend", _("Recommend")
        DO_NOT_RECOMMEND = "do_not_recommend", _("Do not recommend")
        ABSTAIN = "abstain", _("Abstain")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="opinion_requests"
    )
    user_group = models.ForeignKey(
        UserGroup, on_delete=models.PROTECT, related_name="opinion_requests"
    )
    round = models.PositiveSmallIntegerField()
    requested_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    reminders_sent = models.JSONField(default=list, blank=True)
    verdict = models.CharField(_("opinion"), max_length=20, choices=Verdict.choices, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    given_by_label = models.CharField(max_length=254, blank=True)
    given_at = models.DateTimeField(_("given"), null=True, blank=True)

    objects = OpinionRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "user_group", "round"],
                name="one_opinion_per_group_and_round",
            ),
            models.CheckConstraint(
                condition=models.Q(given_at__isnull=True, verdict="")
                | (models.Q(given_at__isnull=False) & ~models.Q(verdict="")),
                name="opinion_given_with_a_verdict",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_group} on {self.application.code}"

    @property
    def is_given(self) -> bool:
        return self.given_at is not None

    @property
    def is_current(self) -> bool:
        """Asked in the community review under way, not in an earlier round."""
        application = self.application
        return (
            application.status == Status.COMMUNITY_REVIEW and self.round == application.review_round
        )

    @property
    def is_awaited(self) -> bool:
        """The user group may still give this opinion (`OpinionRequest.objects.awaited()`)."""
        return self.is_current and not self.is_given

    @property
    def is_overdue(self) -> bool:
        return self.overdue_at(timezone.now())

    def overdue_at(self, now: datetime) -> bool:
        """Not given by its due date (the same rule as `OpinionRequest.objects.overdue()`)."""
        return not self.is_given and self.due_at <= now

    def reminder_due(self, now: datetime) -> int | None:
        """The reminder to send now, in days before the due date, or None.

        Reminders go out `settings.OPINION_REMINDER_DAYS` before the due date, once each. When
        several are due at once (a late first run), only the most urgent goes out.
        """
        if not self.is_awaited or self.overdue_at(now):
            return None
        for days in sorted(settings.OPINION_REMINDER_DAYS):
            if days not in self.reminders_sent and self.due_at - now <= timedelta(days=days):
                return days
        return None


class ReviewerInvitation(models.Model):
    """An outside reviewer asked by email to give a user group's opinion on one application."""

    opinion_request = models.ForeignKey(
        OpinionRequest, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(
        _("language of the email"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reviewer invitation")
        verbose_name_plural = _("reviewer invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Decision(models.Model):
    """The PSC's final determination on an application."""

    class Outcome(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="decision"
    )
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    rationale = models.TextField(_("rationale"))
    votes_for = models.PositiveSmallIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("votes against"), null=True, blank=True)
    abstentions = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} — {self.application.code}"


class Message(models.Model):
    """A post in an application's discussion; internal notes are for reviewers only."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        CHANGE_REQUEST = "change_request", _("Change request")
        INTERNAL_NOTE = "internal_note", _("Internal note")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=254)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMMENT)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author_label}: {self.body[:40]}"

    @property
    def is_internal(self) -> bool:
        return self.kind == self.Kind.INTERNAL_NOTE


class Snapshot(models.Model):
    """What the applicant submitted, frozen at each submission, so history stays visible."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="snapshots")
    round = models.PositiveSmallIntegerField()
    data = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        ordering = ["-round"]
        constraints = [
            models.UniqueConstraint(fields=["application", "round"], name="one_snapshot_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.application.code} v{self.round}"

    @property
    def contributions(self) -> list[dict[str, Any]]:
        contributions: list[dict[str, Any]] = self.data.get("contributions", [])
        return contributions
