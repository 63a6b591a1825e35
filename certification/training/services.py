"""State changes of the training app, each checking its own rule with `require()`.

Course types and their material: drafts of certified organisations, their proposal and its
review (applicants build course types inside their application, through
`applications.services`, which uses `attach_material` and `remove_material` here). Then the
training centres, trainers, courses and attendees that certified organisations manage.
"""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.accounts.models import User
from certification.accounts.permissions import require
from certification.accounts.roles import GlobalRole
from certification.core.audit import record_event
from certification.core.mapversion import map_changed
from certification.core.notifications import Notice, notify
from certification.core.weblinks import is_web_link
from certification.organisations.models import Membership, Organisation
from certification.training.attendee_import import (
    ImportRow,
    attendee_email_problem,
    attendee_name_problem,
    check_import_rows,
)
from certification.training.models import (
    Attendee,
    Course,
    CourseMaterial,
    CourseType,
    Trainer,
    TrainingCentre,
)
from certification.training.uploads import MaterialRejected, check_material_file


class CourseTypeError(Exception):
    """A change the course type's state does not allow."""


def material_bytes(course_types: QuerySet[CourseType]) -> int:
    """The bytes of uploaded material of these course types."""
    total = CourseMaterial.objects.filter(course_type__in=course_types).aggregate(total=Sum("size"))
    return total["total"] or 0


def attach_material(
    course_type: CourseType,
    *,
    by: User,
    kind: str,
    title: str,
    upload: UploadedFile[Any] | None = None,
    url: str = "",
    bytes_used: int = 0,
) -> CourseMaterial:
    """Attach an uploaded file (checked by content, within the limits) or a link.

    `bytes_used` is what the surrounding submission already holds; with this file it must
    stay within APPLICATION_MAX_TOTAL_MB. The caller runs this inside its transaction.
    """
    require(by, "organisation.manage", course_type.organisation)
    if not course_type.is_changeable:
        raise CourseTypeError(_("The material of a proposed or approved course type is fixed."))
    if kind not in CourseMaterial.Kind.values:
        raise CourseTypeError(_("Choose what kind of material this is."))
    if url and not is_web_link(url):
        raise CourseTypeError(_("Only http and https links are accepted."))
    material = CourseMaterial(course_type=course_type, kind=kind, title=title, uploaded_by=by)
    if upload is not None:
        try:
            checked = check_material_file(
                upload,
                upload.name or "",
                upload.size or 0,
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


def remove_material(material: CourseMaterial, *, by: User) -> None:
    """Delete one material; its file goes once the transaction has committed."""
    course_type = material.course_type
    require(by, "organisation.manage", course_type.organisation)
    stored = material.file.name if material.file else ""
    storage = material.file.storage
    with transaction.atomic():
        material.delete()
        record_event(
            "course_type.material_removed",
            actor=by,
            target=course_type,
            data={"title": material.title},
        )
        if stored:
            transaction.on_commit(lambda: storage.delete(stored))


# --- Course types of certified organisations ------------------------------------------------
# Applicants build theirs inside the application; once certified, an organisation drafts new
# ones here, adds their material and proposes them for review.


def _lock_changeable(course_type: CourseType, *, by: User) -> CourseType:
    """The course type, locked, if `by` may change it now; one change at a time per type."""
    require(by, "organisation.manage", course_type.organisation)
    locked = (
        CourseType.objects.select_for_update().select_related("organisation").get(pk=course_type.pk)
    )
    if not locked.organisation.is_certified:
        raise CourseTypeError(_("Only certified organisations change their course types here."))
    if not locked.is_changeable:
        raise CourseTypeError(_("This course type can no longer be changed."))
    return locked


def create_course_type(
    organisation: Organisation, course_type: CourseType, *, by: User
) -> CourseType:
    """Save a new draft (an unsaved instance with its details) of a certified organisation."""
    require(by, "organisation.manage", organisation)
    if not organisation.is_certified:
        raise CourseTypeError(
            _(
                "Only certified organisations propose new course types; applicants add them "
                "to their application."
            )
        )
    with transaction.atomic():
        course_type.organisation = organisation
        course_type.status = CourseType.Status.DRAFT
        course_type.save()
        record_event("course_type.created", actor=by, target=course_type)
    return course_type


def update_course_type(course_type: CourseType, *, by: User, fields: list[str]) -> None:
    """Save the changed `fields` of a draft or rejected course type."""
    if not fields:
        return
    with transaction.atomic():
        _lock_changeable(course_type, by=by)
        course_type.save(update_fields=fields)
        record_event("course_type.updated", actor=by, target=course_type, data={"fields": fields})


def add_course_type_material(
    course_type: CourseType,
    *,
    by: User,
    kind: str,
    title: str,
    upload: UploadedFile[Any] | None = None,
    url: str = "",
) -> CourseMaterial:
    """Attach a file or a link to a draft or rejected course type, within its quota."""
    with transaction.atomic():
        # Under the lock the total stays within the limit, and no material is added to a
        # type proposed in the meantime.
        locked = _lock_changeable(course_type, by=by)
        return attach_material(
            locked,
            by=by,
            kind=kind,
            title=title,
            upload=upload,
            url=url,
            bytes_used=material_bytes(CourseType.objects.filter(pk=locked.pk)),
        )


def remove_course_type_material(material: CourseMaterial, *, by: User) -> None:
    """Remove material from a draft or rejected course type."""
    with transaction.atomic():
        _lock_changeable(material.course_type, by=by)
        remove_material(material, by=by)


def propose_course_type(course_type: CourseType, *, by: User) -> None:
    """A certified organisation asks for a new course type to be approved."""
    require(by, "course_type.propose", course_type)
    with transaction.atomic():
        course_type = (
            CourseType.objects.select_for_update()
            .select_related("organisation")
            .get(pk=course_type.pk)
        )
        if not course_type.organisation.is_certified:
            raise CourseTypeError(_("Only a certified organisation proposes new course types."))
        if not course_type.is_changeable:
            raise CourseTypeError(_("Only a draft or rejected course type can be proposed."))
        if not course_type.materials.exists():
            raise CourseTypeError(_("Add the training material before proposing the course type."))
        course_type.status = CourseType.Status.PROPOSED
        course_type.save(update_fields=["status"])
        record_event("course_type.proposed", actor=by, target=course_type)
        notify(
            User.objects.filter(groups__name=GlobalRole.CERTIFICATION_TEAM.value),
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


def review_course_type(course_type: CourseType, *, by: User, approve: bool, comment: str) -> None:
    """The certification team approves a proposed course type, or says why it does not."""
    require(by, "course_type.review", course_type)
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
        if approve:
            map_changed()  # the map's course language and subject filters read approved types
        record_event(
            "course_type.approved" if approve else "course_type.rejected",
            actor=by,
            target=course_type,
            data={"comment": comment},
        )
        managers = User.objects.filter(
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
                    "training:course_type_detail",
                    args=[course_type.organisation.slug, course_type.pk],
                ),
            ),
        )


# --- Training centres, trainers, courses and attendees --------------------------------------
# Only a certified organisation runs courses. The forms already limit every choice to the
# organisation's own rows; these functions check again, so that no other caller (the API, a
# shell) can mix organisations.


class TrainingError(Exception):
    """A change to a training centre, trainer, course or attendee that is not allowed now."""


def _require_certified(organisation: Organisation) -> None:
    if not organisation.is_certified:
        raise TrainingError(_("Only certified organisations run courses."))


def add_training_centre(
    organisation: Organisation, centre: TrainingCentre, *, by: User
) -> TrainingCentre:
    """Save a new training centre (an unsaved instance with its details) for the organisation."""
    require(by, "organisation.manage", organisation)
    with transaction.atomic():
        _require_certified(organisation)
        centre.organisation = organisation
        centre.save()
        map_changed()
        record_event("training_centre.created", actor=by, target=centre)
    return centre


def update_training_centre(centre: TrainingCentre, *, by: User, fields: list[str]) -> None:
    """Save the changed `fields` of a training centre."""
    require(by, "organisation.manage", centre.organisation)
    if not fields:
        return
    with transaction.atomic():
        _require_certified(centre.organisation)
        centre.save(update_fields=fields)
        map_changed()
        record_event(
            "training_centre.updated", actor=by, target=centre, data={"fields": sorted(fields)}
        )


def delete_training_centre(centre: TrainingCentre, *, by: User) -> None:
    """Delete a training centre no course takes place at."""
    require(by, "organisation.manage", centre.organisation)
    try:
        with transaction.atomic():
            _require_certified(centre.organisation)
            record_event("training_centre.deleted", actor=by, target=centre)
            centre.delete()
            map_changed()
    except ProtectedError as protected:
        raise TrainingError(
            _("Courses take place at this training centre: it cannot be deleted.")
        ) from protected


def _check_member_account(organisation: Organisation, trainer: Trainer) -> None:
    if trainer.user_id is None:
        return
    if not Membership.objects.filter(organisation=organisation, user_id=trainer.user_id).exists():
        raise TrainingError(_("Only a member of the organisation can be linked to a trainer."))
    if organisation.trainers.filter(user_id=trainer.user_id).exclude(pk=trainer.pk).exists():
        raise TrainingError(_("This member's account is already linked to another trainer."))


def add_trainer(organisation: Organisation, trainer: Trainer, *, by: User) -> Trainer:
    """Save a new trainer, optionally linked to the account of a member of the organisation."""
    require(by, "organisation.manage", organisation)
    with transaction.atomic():
        _require_certified(organisation)
        trainer.organisation = organisation
        _check_member_account(organisation, trainer)
        trainer.save()
        record_event("trainer.created", actor=by, target=trainer)
    return trainer


def update_trainer(trainer: Trainer, *, by: User, fields: list[str]) -> None:
    """Save the changed `fields` of a trainer ("user" for the linked account)."""
    require(by, "organisation.manage", trainer.organisation)
    if not fields:
        return
    with transaction.atomic():
        _require_certified(trainer.organisation)
        _check_member_account(trainer.organisation, trainer)
        trainer.save(update_fields=fields)
        record_event("trainer.updated", actor=by, target=trainer, data={"fields": sorted(fields)})


def delete_trainer(trainer: Trainer, *, by: User) -> None:
    """Delete a trainer who teaches no course: past courses keep their trainers."""
    require(by, "organisation.manage", trainer.organisation)
    with transaction.atomic():
        _require_certified(trainer.organisation)
        if trainer.courses.exists():
            raise TrainingError(
                _("This trainer teaches courses: remove them from those courses first.")
            )
        record_event("trainer.deleted", actor=by, target=trainer)
        trainer.delete()


def _check_course(course: Course, trainers: Sequence[Trainer]) -> None:
    """Everything a course refers to belongs to its organisation; the type is approved."""
    organisation_id = course.organisation_id
    course_type = course.course_type
    if course_type.organisation_id != organisation_id:
        raise TrainingError(_("Choose one of your organisation's course types."))
    if course_type.status != CourseType.Status.APPROVED and (
        course.pk is None
        or not Course.objects.filter(pk=course.pk, course_type_id=course_type.pk).exists()
    ):
        raise TrainingError(_("Courses can only be run of approved course types."))
    if course.ends_on < course.starts_on:
        raise TrainingError(_("The last day cannot be before the first day."))
    if course.online == (course.training_centre_id is not None):
        raise TrainingError(_("A course is either online or at one training centre."))
    if course.training_centre is not None and course.training_centre.organisation_id != (
        organisation_id
    ):
        raise TrainingError(_("Choose one of your organisation's training centres."))
    if any(trainer.organisation_id != organisation_id for trainer in trainers):
        raise TrainingError(_("Choose your organisation's own trainers."))


def create_course(
    organisation: Organisation, course: Course, *, trainers: Sequence[Trainer], by: User
) -> Course:
    """Schedule a course (an unsaved instance with its details) of an approved course type."""
    require(by, "organisation.manage", organisation)
    with transaction.atomic():
        _require_certified(organisation)
        course.organisation = organisation
        course.created_by = by
        _check_course(course, trainers)
        course.save()
        course.trainers.set(trainers)
        record_event("course.created", actor=by, target=course)
    return course


def update_course(
    course: Course, *, trainers: Sequence[Trainer], fields: list[str], by: User
) -> None:
    """Save a course's changed `fields` and its trainers. Issued certificates keep what they
    printed: they hold a snapshot of the course."""
    require(by, "organisation.manage", course.organisation)
    with transaction.atomic():
        _require_certified(course.organisation)
        _check_course(course, trainers)
        changed = list(fields)
        if {trainer.pk for trainer in trainers} != set(
            course.trainers.values_list("pk", flat=True)
        ):
            course.trainers.set(trainers)
            changed.append("trainers")
        if not changed:
            return
        if fields:
            course.save(update_fields=fields)
        record_event("course.updated", actor=by, target=course, data={"fields": sorted(changed)})


def delete_course(course: Course, *, by: User) -> None:
    """Delete a course, with its attendees, unless certificates were issued for it."""
    require(by, "organisation.manage", course.organisation)
    try:
        with transaction.atomic():
            _require_certified(course.organisation)
            record_event("course.deleted", actor=by, target=course)
            course.delete()
    except ProtectedError as protected:
        raise TrainingError(
            _("Certificates were issued for this course: it cannot be deleted.")
        ) from protected


def _check_attendee(name: str, email: str) -> None:
    problem = attendee_name_problem(name) or attendee_email_problem(email)
    if problem:
        raise TrainingError(problem)


def add_attendee(course: Course, *, name: str, email: str, by: User) -> Attendee:
    """Put one person on a course, by the name printed on their certificate."""
    require(by, "course.manage_attendees", course)
    name, email = name.strip(), email.strip()
    _check_attendee(name, email)
    try:
        with transaction.atomic():
            _require_certified(course.organisation)
            if course.attendees.filter(email__iexact=email).exists():
                raise TrainingError(_("Someone with this email is already on the course."))
            attendee = Attendee.objects.create(course=course, name=name, email=email)
            record_event(
                "attendee.added", actor=by, target=attendee, data={"course": str(course.public_id)}
            )
    except IntegrityError as duplicate:
        raise TrainingError(_("Someone with this email is already on the course.")) from duplicate
    return attendee


def update_attendee(attendee: Attendee, *, name: str, email: str, by: User) -> None:
    """Correct an attendee's name or email before any certificate is issued to them.

    A name printed on a certificate is corrected by re-issuing the certificate.
    """
    require(by, "course.manage_attendees", attendee.course)
    name, email = name.strip(), email.strip()
    _check_attendee(name, email)
    try:
        with transaction.atomic():
            _require_certified(attendee.course.organisation)
            if attendee.certificates.exists():
                raise TrainingError(
                    _(
                        "A certificate was issued to this attendee: correct the name by "
                        "re-issuing the certificate."
                    )
                )
            duplicates = attendee.course.attendees.filter(email__iexact=email)
            if duplicates.exclude(pk=attendee.pk).exists():
                raise TrainingError(_("Someone with this email is already on the course."))
            changed = [
                field
                for field, value in (("name", name), ("email", email))
                if getattr(attendee, field) != value
            ]
            if not changed:
                return
            attendee.name, attendee.email = name, email
            attendee.save(update_fields=changed)
            record_event("attendee.updated", actor=by, target=attendee, data={"fields": changed})
    except IntegrityError as duplicate:
        raise TrainingError(_("Someone with this email is already on the course.")) from duplicate


def remove_attendee(attendee: Attendee, *, by: User) -> None:
    """Take someone off a course, unless a certificate was issued to them."""
    require(by, "course.manage_attendees", attendee.course)
    try:
        with transaction.atomic():
            _require_certified(attendee.course.organisation)
            record_event(
                "attendee.removed",
                actor=by,
                target=attendee,
                data={"course": str(attendee.course.public_id)},
            )
            attendee.delete()
    except ProtectedError as protected:
        raise TrainingError(
            _("A certificate was issued to this attendee: they stay on the course.")
        ) from protected


def import_attendees(
    course: Course, rows: Sequence[tuple[str, str]], *, by: User
) -> list[Attendee]:
    """Put every (name, email) row on the course, or none of them.

    The rows were checked for the preview; they are checked again here against the
    attendees the course has now.
    """
    require(by, "course.manage_attendees", course)
    if not rows:
        raise TrainingError(_("The file has no attendees."))
    try:
        with transaction.atomic():
            _require_certified(course.organisation)
            # One import at a time per course, so two imports cannot both add someone.
            Course.objects.select_for_update().filter(pk=course.pk).first()
            existing = {email.lower() for email in course.attendees.values_list("email", flat=True)}
            checked = check_import_rows(
                [ImportRow(number, name, email) for number, (name, email) in enumerate(rows, 2)],
                existing,
            )
            if any(row.problems for row in checked):
                raise TrainingError(
                    _("Some rows have problems: nothing was imported. Upload the file again.")
                )
            attendees = Attendee.objects.bulk_create(
                [
                    Attendee(course=course, name=name.strip(), email=email.strip())
                    for name, email in rows
                ]
            )
            record_event(
                "attendees.imported", actor=by, target=course, data={"count": len(attendees)}
            )
    except IntegrityError as duplicate:
        raise TrainingError(
            _("Someone in the file is already on the course: nothing was imported.")
        ) from duplicate
    return attendees
