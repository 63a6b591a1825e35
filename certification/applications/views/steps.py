"""The applicant's steps: organisation details, contributions, course types and their
material, declaration, summary and submission. Every step saves the draft.
"""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certification.accounts.http import AuthenticatedHttpRequest
from certification.accounts.permissions import can
from certification.applications import services
from certification.applications.access import get_application_for, posted_data
from certification.applications.forms import (
    ContributionForm,
    CourseTypeForm,
    DeclarationForm,
    MaterialFileForm,
    MaterialLinkForm,
    OrganisationForm,
    TrainingActivityForm,
)
from certification.applications.models import Application, Contribution
from certification.applications.services import ApplicationError
from certification.core.files import private_file_response
from certification.core.weblinks import is_web_link
from certification.organisations.models import Organisation
from certification.training.models import CourseMaterial, CourseType
from certification.training.uploads import CONTENT_TYPES

# --- Steps of the application -------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """Which steps of the application are done: those with nothing missing for submission."""

    details: bool
    contributions: bool
    course_types: bool
    declaration: bool
    complete: bool


def progress_of(
    application: Application,
    *,
    contributions: list[Contribution] | None = None,
    course_types: list[CourseType] | None = None,
) -> Progress:
    """Pass what the page already loaded to spare the queries."""
    missing = {
        item.step
        for item in application.missing_for_submission(
            contributions=contributions, course_types=course_types
        )
    }
    return Progress(
        details=not missing & {"details", "activity"},
        contributions="contributions" not in missing,
        course_types=not missing & {"course_types", "material"},
        declaration="declaration" not in missing,
        complete=not missing,
    )


STEPS: list[tuple[str, Promise, str]] = [
    ("details", gettext_lazy("Organisation and training"), "applications:edit_details"),
    ("contributions", gettext_lazy("Contributions to QGIS"), "applications:contributions"),
    ("course_types", gettext_lazy("Course types and material"), "applications:course_types"),
    ("declaration", gettext_lazy("Declaration"), "applications:declaration"),
    ("summary", gettext_lazy("Review and submit"), "applications:summary"),
]


def step_list(application: Application, progress: Progress, current: str) -> list[dict[str, Any]]:
    done = {
        "details": progress.details,
        "contributions": progress.contributions,
        "course_types": progress.course_types,
        "declaration": progress.declaration,
        "summary": False,
    }
    return [
        {
            "key": key,
            "number": number,
            "label": label,
            "url": reverse(url_name, args=[application.code]),
            "done": done[key],
            "ready": key == "summary" and progress.complete,
            "current": key == current,
        }
        for number, (key, label, url_name) in enumerate(STEPS, start=1)
    ]


def _render_step(
    request: AuthenticatedHttpRequest,
    application: Application,
    step: str,
    template: str,
    context: dict[str, Any],
    *,
    progress: Progress | None = None,
) -> HttpResponse:
    progress = progress or progress_of(application)
    return render(
        request,
        template,
        {
            "application": application,
            "organisation": application.organisation,
            "steps": step_list(application, progress, step),
            "progress": progress,
            **context,
        },
    )


# --- Step 1: organisation and training activity -------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def edit_details(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    application = get_application_for(request, code, "application.edit")
    progress = progress_of(application)
    data = posted_data(request)
    # A fresh copy for the form, so that the page header keeps the saved name on errors.
    organisation_form = OrganisationForm(
        data,
        instance=Organisation.objects.get(pk=application.organisation_id),
        prefix="organisation",
    )
    activity_form = TrainingActivityForm(data, instance=application, prefix="activity")
    if request.method == "POST" and all([organisation_form.is_valid(), activity_form.is_valid()]):
        try:
            services.save_details(
                application,
                organisation_form.save(commit=False),
                by=request.user,
                training_activity=activity_form.cleaned_data["training_activity"],
            )
        except ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("The organisation's details and training activity are saved.")
            )
            return redirect("applications:contributions", application.code)
    return _render_step(
        request,
        application,
        "details",
        "applications/details_form.html",
        {"organisation_form": organisation_form, "activity_form": activity_form},
        progress=progress,
    )


# --- Step 2: contributions ----------------------------------------------------------------


@login_required
@require_GET
def contributions(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    application = get_application_for(request, code, "application.edit")
    items = list(application.contributions.all())
    return _render_step(
        request,
        application,
        "contributions",
        "applications/contributions.html",
        {"contributions": items, "categories": Contribution.Category.labels},
        progress=progress_of(application, contributions=items),
    )


@login_required
@require_http_methods(["GET", "POST"])
def contribution_form(
    request: AuthenticatedHttpRequest, code: str, pk: int | None = None
) -> HttpResponse:
    """Add a contribution, or with `pk` edit one of this application's contributions."""
    application = get_application_for(request, code, "application.edit")
    if pk is None:
        contribution = Contribution(application=application)
    else:
        contribution = get_object_or_404(application.contributions, pk=pk)
    form = ContributionForm(posted_data(request), instance=contribution)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_contribution(application, form.save(commit=False), by=request.user)
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The contribution is saved."))
            return redirect("applications:contributions", application.code)
    return _render_step(
        request,
        application,
        "contributions",
        "applications/contribution_form.html",
        {"form": form, "is_new": pk is None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def contribution_delete(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    application = get_application_for(request, code, "application.edit")
    contribution = get_object_or_404(application.contributions, pk=pk)
    back = reverse("applications:contributions", args=[application.code])
    if request.method == "POST":
        try:
            services.delete_contribution(contribution, by=request.user)
        except ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The contribution is deleted."))
        return redirect(back)
    return _render_step(
        request,
        application,
        "contributions",
        "applications/confirm_delete.html",
        {
            "title": _("Delete this contribution?"),
            "thing": f"{contribution.get_category_display()} ({contribution.period})",
            "detail": contribution.description,
            "cancel_url": back,
        },
    )


# --- Step 3: course types and their material ----------------------------------------------


def _course_type_of(application: Application, pk: int) -> CourseType:
    """One of this application's course types, or a 404."""
    return get_object_or_404(application.course_types.prefetch_related("materials"), pk=pk)


@login_required
@require_GET
def course_types(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    application = get_application_for(request, code, "application.edit")
    items = list(application.course_types.prefetch_related("materials"))
    return _render_step(
        request,
        application,
        "course_types",
        "applications/course_types.html",
        {"course_types": items},
        progress=progress_of(application, course_types=items),
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_type_add(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    application = get_application_for(request, code, "application.edit")
    form = CourseTypeForm(
        posted_data(request), instance=CourseType(organisation=application.organisation)
    )
    if request.method == "POST" and form.is_valid():
        course_type = form.save(commit=False)
        try:
            services.save_course_type(application, course_type, by=request.user)
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("The course type is saved. Now add its training material below.")
            )
            return redirect("applications:course_type", application.code, course_type.pk)
    return _render_step(
        request, application, "course_types", "applications/course_type_add.html", {"form": form}
    )


def _render_course_type(
    request: AuthenticatedHttpRequest,
    application: Application,
    course_type: CourseType,
    *,
    form: CourseTypeForm | None = None,
    upload_form: MaterialFileForm | None = None,
    link_form: MaterialLinkForm | None = None,
) -> HttpResponse:
    return _render_step(
        request,
        application,
        "course_types",
        "applications/course_type.html",
        {
            "course_type": course_type,
            "materials": list(course_type.materials.all()),
            "form": form or CourseTypeForm(instance=course_type),
            "upload_form": upload_form or MaterialFileForm(),
            "link_form": link_form or MaterialLinkForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_type(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    """One course type: its description (editable here) and its training material."""
    application = get_application_for(request, code, "application.edit")
    item = _course_type_of(application, pk)
    form = CourseTypeForm(posted_data(request), instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_course_type(application, form.save(commit=False), by=request.user)
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The course type is saved."))
            return redirect("applications:course_types", application.code)
    return _render_course_type(request, application, item, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def course_type_delete(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    application = get_application_for(request, code, "application.edit")
    item = _course_type_of(application, pk)
    back = reverse("applications:course_types", args=[application.code])
    if request.method == "POST":
        try:
            services.delete_course_type(application, item, by=request.user)
        except ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The course type and its material are deleted."))
        return redirect(back)
    return _render_step(
        request,
        application,
        "course_types",
        "applications/confirm_delete.html",
        {
            "title": _("Delete this course type?"),
            "thing": item.title,
            "detail": _("Its training material (%(count)s items) is deleted with it.")
            % {"count": len(item.materials.all())},
            "cancel_url": back,
        },
    )


def _material_added(
    request: AuthenticatedHttpRequest, application: Application, item: CourseType
) -> HttpResponse:
    messages.success(request, _("The material is added."))
    url = reverse("applications:course_type", args=[application.code, item.pk])
    return HttpResponseRedirect(f"{url}#material")


@login_required
@require_POST
def material_upload(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    application = get_application_for(request, code, "application.edit")
    item = _course_type_of(application, pk)
    form = MaterialFileForm(request.POST, request.FILES)
    if added := _add_material(request, application, item, form, field="file"):
        return added
    return _render_course_type(request, application, item, upload_form=form)


@login_required
@require_POST
def material_link(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    application = get_application_for(request, code, "application.edit")
    item = _course_type_of(application, pk)
    form = MaterialLinkForm(request.POST)
    if added := _add_material(request, application, item, form, field="url"):
        return added
    return _render_course_type(request, application, item, link_form=form)


def _add_material(
    request: AuthenticatedHttpRequest,
    application: Application,
    item: CourseType,
    form: MaterialFileForm | MaterialLinkForm,
    *,
    field: str,
) -> HttpResponse | None:
    """Add the file or link a valid form describes; None shows the form again, with the
    service's refusal on its `field` ("file" or "url")."""
    if not form.is_valid():
        return None
    try:
        services.add_material(
            application,
            item,
            by=request.user,
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            upload=form.cleaned_data.get("file"),
            url=form.cleaned_data.get("url", ""),
        )
    except ApplicationError as error:
        form.add_error(field, str(error))
        return None
    return _material_added(request, application, item)


def _material_of(application: Application, public_id: UUID) -> CourseMaterial:
    """Material of one of this application's course types, or a 404."""
    return get_object_or_404(
        CourseMaterial.objects.select_related("course_type").filter(
            course_type__applications=application
        ),
        public_id=public_id,
    )


@login_required
@require_GET
def material(request: AuthenticatedHttpRequest, code: str, public_id: UUID) -> HttpResponseBase:
    """Material for applicants and reviewers: files from private storage, links redirected."""
    application = get_application_for(request, code)
    item = _material_of(application, public_id)
    if item.is_link:
        if not is_web_link(item.url):
            raise Http404
        return HttpResponseRedirect(item.url)
    try:
        stream = item.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    return private_file_response(
        stream,
        filename=item.original_name or "material",
        content_type=CONTENT_TYPES.get(item.file_type, "application/octet-stream"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def material_delete(request: AuthenticatedHttpRequest, code: str, public_id: UUID) -> HttpResponse:
    application = get_application_for(request, code, "application.edit")
    item = _material_of(application, public_id)
    back = reverse("applications:course_type", args=[application.code, item.course_type_id])
    if request.method == "POST":
        try:
            services.delete_material(application, item, by=request.user)
        except ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The material is deleted."))
        return HttpResponseRedirect(f"{back}#material")
    return _render_step(
        request,
        application,
        "course_types",
        "applications/confirm_delete.html",
        {
            "title": _("Delete this material?"),
            "thing": item.title,
            "detail": item.original_name or item.url,
            "cancel_url": back,
        },
    )


# --- Step 4 and 5: declaration, summary and submission ------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def declaration(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    application = get_application_for(request, code, "application.edit")
    form = DeclarationForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_declaration(application, by=request.user)
        except ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Thank you: the declaration is made."))
            return redirect("applications:summary", application.code)
    accepted_by = None
    if application.declaration_accepted_by_id:
        accepted_by = application.declaration_accepted_by
    return _render_step(
        request,
        application,
        "declaration",
        "applications/declaration.html",
        {"form": form, "accepted_by": accepted_by},
    )


def _missing_with_links(
    application: Application, *, contributions: list[Contribution], course_types: list[CourseType]
) -> list[dict[str, str]]:
    """What `Application.missing_for_submission` reports, each with the page that fixes it."""
    code = application.code
    details = reverse("applications:edit_details", args=[code])
    pages = {
        "details": details,
        "activity": f"{details}#id_activity-training_activity",
        "contributions": reverse("applications:contribution_add", args=[code]),
        "course_types": reverse("applications:course_type_add", args=[code]),
        "declaration": reverse("applications:declaration", args=[code]),
    }
    links = []
    missing = application.missing_for_submission(
        contributions=contributions, course_types=course_types
    )
    for item in missing:
        if item.step == "material":
            url = (
                reverse("applications:course_type", args=[code, item.course_type_id]) + "#material"
            )
        else:
            url = pages.get(item.step, "")
        links.append({"text": item.message, "url": url})
    return links


@login_required
@require_GET
def summary(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The whole application on one page; while it is editable, what is missing and Submit."""
    application = get_application_for(request, code)
    contribution_list = list(application.contributions.all())
    course_type_list = list(application.course_types.prefetch_related("materials"))
    editable = can(request.user, "application.edit", application)
    progress = progress_of(
        application, contributions=contribution_list, course_types=course_type_list
    )
    return render(
        request,
        "applications/summary.html",
        {
            "application": application,
            "organisation": application.organisation,
            "contributions": contribution_list,
            "course_types": course_type_list,
            "editable": editable,
            "missing": _missing_with_links(
                application, contributions=contribution_list, course_types=course_type_list
            )
            if editable
            else [],
            "steps": step_list(application, progress, "summary") if editable else [],
            "progress": progress,
        },
    )


@login_required
@require_POST
def submit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    application = get_application_for(request, code, "application.edit")
    try:
        services.submit_application(application, by=request.user)
    except ApplicationError as error:
        messages.error(request, str(error))
        return redirect("applications:summary", application.code)
    messages.success(
        request,
        _(
            "Thank you: the application %(code)s is submitted. We have sent a confirmation by "
            "email, and you can follow every step on this page."
        )
        % {"code": application.code},
    )
    return redirect("applications:detail", application.code)
