"""The attendees of a course: one by one, from a CSV file (preview, then confirm), and out
again as CSV or Excel with their certificates.

Owners, managers and the course's own trainers manage attendees ("course.manage_attendees");
everyone who sees the course may export them.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certification.accounts.http import AuthenticatedHttpRequest
from certification.core.files import private
from certification.training import attendee_import, exports, services
from certification.training.attendee_import import ImportFileError, ImportRow
from certification.training.forms import (
    AttendeeForm,
    AttendeeImportConfirmForm,
    AttendeeImportForm,
)
from certification.training.models import Attendee, Course
from certification.training.views.courses import course_for_member


def _attendee_course(request: HttpRequest, slug: str, public_id: uuid.UUID) -> Course:
    return course_for_member(request, slug, public_id, "course.manage_attendees")


def _attendee(course: Course, attendee_id: uuid.UUID) -> Attendee:
    attendee = get_object_or_404(course.attendees, public_id=attendee_id)
    attendee.course = course
    return attendee


def _back(course: Course) -> HttpResponse:
    return redirect("training:course_detail", course.organisation.slug, course.public_id)


def _refuse_unless_certified(request: HttpRequest, course: Course) -> HttpResponse | None:
    if course.organisation.is_certified:
        return None
    messages.error(request, _("Only certified organisations run courses."))
    return _back(course)


@login_required
@require_http_methods(["GET", "POST"])
def attendee_add(
    request: AuthenticatedHttpRequest, slug: str, public_id: uuid.UUID
) -> HttpResponse:
    course = _attendee_course(request, slug, public_id)
    if refused := _refuse_unless_certified(request, course):
        return refused
    form = AttendeeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            attendee = services.add_attendee(
                course,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                by=request.user,
            )
        except services.TrainingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(name)s is on the course.") % {"name": attendee.name})
            if "another" in request.POST:
                return redirect("training:attendee_add", course.organisation.slug, course.public_id)
            return _back(course)
    return render(
        request,
        "training/courses/attendee_form.html",
        {"organisation": course.organisation, "course": course, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendee_edit(
    request: AuthenticatedHttpRequest, slug: str, public_id: uuid.UUID, attendee_id: uuid.UUID
) -> HttpResponse:
    course = _attendee_course(request, slug, public_id)
    attendee = _attendee(course, attendee_id)
    if refused := _refuse_unless_certified(request, course):
        return refused
    if attendee.certificates.exists():
        messages.error(
            request,
            _(
                "A certificate was issued to %(name)s: correct the name by re-issuing the "
                "certificate."
            )
            % {"name": attendee.name},
        )
        return _back(course)
    form = AttendeeForm(
        request.POST if request.method == "POST" else None,
        initial={"name": attendee.name, "email": attendee.email},
    )
    if form.is_bound and form.is_valid():
        try:
            services.update_attendee(
                attendee,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                by=request.user,
            )
        except services.TrainingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": attendee.name})
            return _back(course)
    return render(
        request,
        "training/courses/attendee_form.html",
        {
            "organisation": course.organisation,
            "course": course,
            "form": form,
            "attendee": attendee,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendee_remove(
    request: AuthenticatedHttpRequest, slug: str, public_id: uuid.UUID, attendee_id: uuid.UUID
) -> HttpResponse:
    course = _attendee_course(request, slug, public_id)
    attendee = _attendee(course, attendee_id)
    has_certificate = attendee.certificates.exists()
    if request.method == "POST":
        try:
            services.remove_attendee(attendee, by=request.user)
        except services.TrainingError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("%(name)s is removed from the course.") % {"name": attendee.name}
            )
        return _back(course)
    return render(
        request,
        "training/courses/attendee_remove.html",
        {
            "organisation": course.organisation,
            "course": course,
            "attendee": attendee,
            "has_certificate": has_certificate,
        },
    )


# --- Import ----------------------------------------------------------------------------------


def _existing_emails(course: Course) -> set[str]:
    return {email.lower() for email in course.attendees.values_list("email", flat=True)}


def _render_import(
    request: AuthenticatedHttpRequest,
    course: Course,
    form: AttendeeImportForm,
    *,
    rows: list[ImportRow] | None = None,
    file_error: str = "",
) -> HttpResponse:
    ready = bool(rows) and not any(row.problems for row in rows or [])
    confirm_form = None
    if ready and rows:
        confirm_form = AttendeeImportConfirmForm(
            initial={
                "rows": attendee_import.sign_rows(
                    rows, course_id=str(course.public_id), user_id=request.user.pk
                )
            }
        )
    return render(
        request,
        "training/courses/attendee_import.html",
        {
            "organisation": course.organisation,
            "course": course,
            "form": form,
            "rows": rows,
            "problem_count": sum(1 for row in rows or [] if row.problems),
            "file_error": file_error,
            "confirm_form": confirm_form,
            "max_rows": attendee_import.MAX_ROWS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendee_import_upload(
    request: AuthenticatedHttpRequest, slug: str, public_id: uuid.UUID
) -> HttpResponse:
    """Upload a file and see every row with its problems. Nothing is imported here."""
    course = _attendee_course(request, slug, public_id)
    if refused := _refuse_unless_certified(request, course):
        return refused
    if request.method == "GET":
        return _render_import(request, course, AttendeeImportForm())
    form = AttendeeImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_import(request, course, form)
    upload = form.cleaned_data["file"]
    try:
        rows = attendee_import.read_attendee_csv(upload.read(attendee_import.MAX_FILE_BYTES + 1))
    except ImportFileError as error:
        return _render_import(request, course, AttendeeImportForm(), file_error=str(error))
    attendee_import.check_import_rows(rows, _existing_emails(course))
    return _render_import(request, course, AttendeeImportForm(), rows=rows)


@login_required
@require_POST
def attendee_import_confirm(
    request: AuthenticatedHttpRequest, slug: str, public_id: uuid.UUID
) -> HttpResponse:
    """Import the rows of a preview: all of them, after checking them again, or none."""
    course = _attendee_course(request, slug, public_id)
    if refused := _refuse_unless_certified(request, course):
        return refused
    confirm = AttendeeImportConfirmForm(request.POST)
    try:
        if not confirm.is_valid():
            raise ImportFileError(
                _("The preview has expired or was changed. Upload the file again.")
            )
        rows = attendee_import.unsign_rows(
            confirm.cleaned_data["rows"], course_id=str(course.public_id), user_id=request.user.pk
        )
    except ImportFileError as error:
        return _render_import(request, course, AttendeeImportForm(), file_error=str(error))
    attendee_import.check_import_rows(rows, _existing_emails(course))
    if any(row.problems for row in rows):
        messages.error(request, _("Some rows have problems now: nothing was imported."))
        return _render_import(request, course, AttendeeImportForm(), rows=rows)
    try:
        imported = services.import_attendees(
            course, [(row.name, row.email) for row in rows], by=request.user
        )
    except services.TrainingError as error:
        messages.error(request, str(error))
        return _render_import(request, course, AttendeeImportForm())
    messages.success(
        request,
        _("%(count)s attendees are imported.") % {"count": len(imported)},
    )
    return _back(course)


@login_required
@require_GET
def attendee_import_template(
    request: AuthenticatedHttpRequest, slug: str, public_id: uuid.UUID
) -> HttpResponse:
    _attendee_course(request, slug, public_id)
    response = HttpResponse(
        attendee_import.template_csv().encode("utf-8-sig"), content_type=exports.CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = 'attachment; filename="attendees.csv"'
    return response


# --- Export ----------------------------------------------------------------------------------


def _export_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    private(response)
    return response


def _export_attendees(course: Course) -> list[Attendee]:
    return list(course.attendees.prefetch_related("certificates").order_by("name", "pk"))


@login_required
@require_GET
def attendee_export_csv(
    request: AuthenticatedHttpRequest, slug: str, public_id: uuid.UUID
) -> HttpResponse:
    course = course_for_member(request, slug, public_id)
    return _export_response(
        exports.attendees_csv(_export_attendees(course)),
        exports.CSV_CONTENT_TYPE,
        exports.export_filename(course, "csv"),
    )


@login_required
@require_GET
def attendee_export_xlsx(
    request: AuthenticatedHttpRequest, slug: str, public_id: uuid.UUID
) -> HttpResponse:
    course = course_for_member(request, slug, public_id)
    return _export_response(
        exports.attendees_xlsx(_export_attendees(course)),
        exports.XLSX_CONTENT_TYPE,
        exports.export_filename(course, "xlsx"),
    )
