import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

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
