import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from certification.core.weblinks import is_web_link
from certification.organisations.models import Organisation
from certification.training.languages import language_names


class CourseTypeQuerySet(models.QuerySet["CourseType"]):
    def approved(self) -> "CourseTypeQuerySet":
        return self.filter(status=CourseType.Status.APPROVED)

    def with_materials(self) -> "CourseTypeQuerySet":
        return self.prefetch_related("materials")


class CourseType(models.Model):
    """A curriculum of one organisation. Courses can only be run of approved types."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETIRED = "retired", _("Retired")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="course_types"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    learning_outcomes = models.TextField(
        _("learning outcomes"), help_text=_("What attendees can do after the course, one per line.")
    )
    hours = models.PositiveSmallIntegerField(
        _("hours"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    qgis_version = models.CharField(
        _("QGIS version"), max_length=40, help_text=_("For example 3.40 LTR.")
    )
    languages = models.JSONField(_("languages"), default=list)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    approved_at = models.DateTimeField(_("approved on"), null=True, blank=True)

    objects = CourseTypeQuerySet.as_manager()

    class Meta:
        verbose_name = _("course type")
        verbose_name_plural = _("course types")
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["draft", "proposed", "approved", "rejected", "retired"]
                ),
                name="course_type_status_valid",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_changeable(self) -> bool:
        """Drafts and rejected types may still be changed by their organisation; proposed ones
        are under review, approved and retired ones are fixed."""
        return self.status in (self.Status.DRAFT, self.Status.REJECTED)

    @property
    def language_names(self) -> list[str]:
        return language_names(self.languages)

    @property
    def outcomes(self) -> list[str]:
        return [line.strip() for line in self.learning_outcomes.splitlines() if line.strip()]


def material_upload_to(instance: "CourseMaterial", filename: str) -> str:
    # A random folder per file: names never collide and cannot be guessed.
    return f"materials/{instance.course_type.organisation_id}/{uuid.uuid4().hex}/{filename}"


class CourseMaterial(models.Model):
    """Training material of a course type: an uploaded file or a link. Private."""

    class Kind(models.TextChoices):
        LECTURE = "lecture", _("Lecture")
        EXERCISE = "exercise", _("Exercise")
        DATA = "data", _("Data")
        OTHER = "other", _("Other")

    course_type = models.ForeignKey(CourseType, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=material_upload_to, max_length=300, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_type = models.CharField(_("file type"), max_length=20, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    url = models.URLField(_("link"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("course material")
        verbose_name_plural = _("course materials")
        ordering = ["kind", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(~models.Q(file="") & models.Q(url=""))
                | (models.Q(file="") & ~models.Q(url="")),
                name="material_is_a_file_or_a_link",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_link(self) -> bool:
        return bool(self.url)

    @property
    def is_web_link(self) -> bool:
        """A link safe to put in an `href`; older rows may hold one that is not."""
        return is_web_link(self.url)

    def describe(self) -> dict[str, Any]:
        """What a snapshot of an application keeps of this material."""
        return {
            "public_id": str(self.public_id),
            "kind": self.kind,
            "title": self.title,
            "file": self.original_name,
            "size": self.size,
            "url": self.url,
        }


class PublicIdModel(models.Model):
    """Rows that appear in URLs carry an unguessable id instead of their sequential key."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class TrainingCentre(PublicIdModel):
    """A place where an organisation teaches."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="training_centres"
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"))
    city = models.CharField(_("city"), max_length=120)
    country = CountryField(_("country"))
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The public map's Last-Modified and ETag follow it.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("training centre")
        verbose_name_plural = _("training centres")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90)
                & models.Q(longitude__gte=-180, longitude__lte=180),
                name="training_centre_coordinates_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"


class Trainer(PublicIdModel):
    """A person who delivers courses for an organisation, with or without an account."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="trainers"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trainer_profiles",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("trainer")
        verbose_name_plural = _("trainers")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class CourseQuerySet(models.QuerySet["Course"]):
    def upcoming(self) -> "CourseQuerySet":
        return self.filter(ends_on__gte=timezone.localdate())

    def public(self) -> "CourseQuerySet":
        return self.filter(is_public=True, organisation__status=Organisation.Status.CERTIFIED)

    def for_listing(self) -> "CourseQuerySet":
        return self.for_cards().prefetch_related("trainers")

    def for_cards(self) -> "CourseQuerySet":
        """What a course card of the public catalogue shows, in the same query: no trainers."""
        return self.select_related("course_type", "training_centre", "organisation")


class Course(PublicIdModel):
    """One run of an approved course type."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="courses")
    course_type = models.ForeignKey(CourseType, on_delete=models.PROTECT, related_name="courses")
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    language = models.CharField(_("language"), max_length=10)
    trainers = models.ManyToManyField(Trainer, related_name="courses", blank=True)
    training_centre = models.ForeignKey(
        TrainingCentre, null=True, blank=True, on_delete=models.PROTECT, related_name="courses"
    )
    online = models.BooleanField(_("online"), default=False)
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Listed in the public course catalogue.")
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    registration_url = models.URLField(_("registration link"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-starts_on", "pk"]
        indexes = [
            models.Index(fields=["is_public", "ends_on"]),
            # The public catalogue walks public courses by start date and stops at a page.
            models.Index(
                fields=["starts_on", "id"],
                condition=models.Q(is_public=True),
                name="public_course_by_start",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="course_dates_in_order"
            ),
            models.CheckConstraint(
                condition=models.Q(online=True, training_centre__isnull=True)
                | models.Q(online=False, training_centre__isnull=False),
                name="course_is_online_or_at_a_centre",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course_type.title} ({self.starts_on:%Y-%m-%d})"

    @property
    def title(self) -> str:
        return self.course_type.title

    @property
    def language_name(self) -> str:
        """The course's language, named in the reader's language."""
        return next(iter(language_names([self.language])), self.language)


class Attendee(PublicIdModel):
    """A person on a course, with their name exactly as it is to be printed."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(_("name as printed"), max_length=200)
    email = models.EmailField(_("email"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "course", Lower("email"), name="one_attendee_per_email_and_course"
            )
        ]

    def __str__(self) -> str:
        return self.name
