"""State changes of course types after certification: proposals and their review."""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.accounts.roles import GlobalRole
from certification.core.audit import record_event
from certification.core.notifications import Notice, notify
from certification.organisations.models import Membership
from certification.training.models import CourseMaterial, CourseType
from certification.training.uploads import MaterialRejected, check_material_file


class CourseTypeError(Exception):
    """A change the course type's state does not allow."""


def material_bytes(course_types: Any) -> int:
    """The bytes of uploaded material of these course types (a queryset)."""
    total = CourseMaterial.objects.filter(course_type__in=course_types).aggregate(total=Sum("size"))
    return total["total"] or 0


def attach_material(
    course_type: CourseType,
    *,
    by: Any,
    kind: str,
    title: str,
    upload: Any = None,
    url: str = "",
    bytes_used: int = 0,
) -> CourseMaterial:
    """Attach an uploaded file (checked by content, within the limits) or a link.

    `bytes_used` is what the surrounding submission already holds; with this file it must
    stay within APPLICATION_MAX_TOTAL_MB. The caller runs this inside its transaction.
    """
    if course_type.status not in (CourseType.Status.DRAFT, CourseType.Status.REJECTED):
        raise CourseTypeError(_("The material of a proposed or approved course type is fixed."))
    if kind not in CourseMaterial.Kind.values:
        raise CourseTypeError(_("Choose what kind of material this is."))
    if url and not url.lower().startswith(("https://", "http://")):
        raise CourseTypeError(_("Only http and https links are accepted."))
    material = CourseMaterial(course_type=course_type, kind=kind, title=title, uploaded_by=by)
    if upload is not None:
        try:
            checked = check_material_file(
                upload,
                upload.name,
                upload.size,
                max_bytes=settings.MATERIAL_MAX_FILE_MB * 1_000_000,
            )
        except MaterialRejected as rejected:
            raise CourseTypeError(str(rejected)) from rejected
        if bytes_used + checked.size > settings.APPLICATION_MAX_TOTAL_MB * 1_000_000:
            raise CourseTypeError(
                _("The material of one application can take at most %(limit)s MB in all.")
                % {"limit": settings.APPLICATION_MAX_TOTAL_MB}
            )
        material.original_name = checked.name
        material.file_type = checked.file_type
        material.size = checked.size
        material.file.save(checked.name, upload, save=False)
    elif url:
        material.url = url
    else:
        raise CourseTypeError(_("Upload a file or give a link."))
    try:
        with transaction.atomic():
            material.save()
            record_event(
                "course_type.material_added", actor=by, target=course_type, data={"title": title}
            )
    except Exception:
        # No row without its file, and no stored file without its row.
        if material.file:
            material.file.delete(save=False)
        raise
    return material


def remove_material(material: CourseMaterial, *, by: Any) -> None:
    stored = material.file.name if material.file else ""
    storage = material.file.storage
    course_type = material.course_type
    material.delete()
    record_event(
        "course_type.material_removed", actor=by, target=course_type, data={"title": material.title}
    )
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


def propose_course_type(course_type: CourseType, *, by: Any) -> None:
    """A certified organisation asks for a new course type to be approved."""
    with transaction.atomic():
        course_type = (
            CourseType.objects.select_for_update()
            .select_related("organisation")
            .get(pk=course_type.pk)
        )
        if course_type.organisation.status != course_type.organisation.Status.CERTIFIED:
            raise CourseTypeError(_("Only a certified organisation proposes new course types."))
        if course_type.status not in (CourseType.Status.DRAFT, CourseType.Status.REJECTED):
            raise CourseTypeError(_("Only a draft or rejected course type can be proposed."))
        if not course_type.materials.exists():
            raise CourseTypeError(_("Add the training material before proposing the course type."))
        course_type.status = CourseType.Status.PROPOSED
        course_type.save(update_fields=["status"])
        record_event("course_type.proposed", actor=by, target=course_type)
        notify(
            get_user_model().objects.filter(groups__name=GlobalRole.CERTIFICATION_TEAM.value),
            lambda: Notice(
                subject=_("New course type to review: %(title)s") % {"title": course_type.title},
                paragraphs=[
                    _("%(organisation)s proposes a new course type.")
                    % {"organisation": course_type.organisation.legal_name}
                ],
                action_label=_("Review the course type"),
                action_path=reverse("review:course_type_review", args=[course_type.pk]),
            ),
        )


def review_course_type(course_type: CourseType, *, by: Any, approve: bool, comment: str) -> None:
    with transaction.atomic():
        course_type = CourseType.objects.select_for_update().get(pk=course_type.pk)
        if course_type.status != CourseType.Status.PROPOSED:
            raise CourseTypeError(_("Only a proposed course type can be reviewed."))
        if not approve and not comment.strip():
            raise CourseTypeError(_("Say why the course type is not approved."))
        course_type.status = CourseType.Status.APPROVED if approve else CourseType.Status.REJECTED
        course_type.review_comment = comment
        course_type.approved_at = timezone.now() if approve else None
        course_type.save(update_fields=["status", "review_comment", "approved_at"])
        record_event(
            "course_type.approved" if approve else "course_type.rejected",
            actor=by,
            target=course_type,
            data={"comment": comment},
        )
        managers = get_user_model().objects.filter(
            memberships__organisation=course_type.organisation,
            memberships__role__in=[Membership.Role.OWNER, Membership.Role.MANAGER],
        )
        notify(
            managers,
            lambda: Notice(
                subject=(
                    _("Course type approved: %(title)s")
                    if approve
                    else _("Course type not approved: %(title)s")
                )
                % {"title": course_type.title},
                paragraphs=[
                    _(
                        "The certification team has approved the course type: you can now run courses of it."
                    )
                    if approve
                    else _(
                        "The certification team has not approved the course type. You can change it and propose it again."
                    )
                ],
                quote=comment,
                action_label=_("Open the course type"),
                action_path=reverse(
                    "course_type_detail", args=[course_type.organisation.slug, course_type.pk]
                ),
            ),
        )
