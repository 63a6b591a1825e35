"""The applicant's pages: /apply/ and /applications/<code>/…

Each view loads the application through `get_application_for`, parses a form, calls one
service of `services.py` and redirects with a message. The reviewers' pages are elsewhere.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_countries import countries

from certification.accounts.permissions import can
from certification.applications import services
from certification.applications.forms_applicant import (
    ContributionForm,
    CourseTypeForm,
    DeclarationForm,
    MaterialFileForm,
    MaterialLinkForm,
    MessageForm,
    OrganisationForm,
    ReapplyForm,
    TrainingActivityForm,
    WithdrawForm,
    is_web_address,
)
from certification.applications.models import (
    OPEN_STATUSES,
    Application,
    Contribution,
    Decision,
    Message,
    Status,
)
from certification.applications.services import ApplicationError
from certification.organisations.models import Membership, Organisation
from certification.training.languages import language_names
from certification.training.models import CourseMaterial, CourseType
from certification.training.uploads import ACCEPTED_EXTENSIONS, CONTENT_TYPES

APPLICANT_ROLES = [Membership.Role.OWNER, Membership.Role.MANAGER]


def get_application_for(
    request: HttpRequest, code: str, action: str = "application.view"
) -> Application:
    """The application, if the user may see it and do `action` to it.

    Someone who may not even see the application gets a 404, so that codes cannot be probed;
    someone who may see it but not do `action` (a reviewer, or a submitted application that
    is no longer editable) gets a 403.
    """
    application = get_object_or_404(Application.objects.select_related("organisation"), code=code)
    if not can(request.user, "application.view", application):
        raise Http404
    if action != "application.view" and not can(request.user, action, application):
        raise PermissionDenied
    return application


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


# --- Steps of the application -------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    details: bool
    contributions: bool
    course_types: bool
    declaration: bool

    @property
    def complete(self) -> bool:
        return self.details and self.contributions and self.course_types and self.declaration


def progress_of(
    application: Application,
    *,
    contributions: list[Contribution] | None = None,
    course_types: list[CourseType] | None = None,
) -> Progress:
    """Which steps are complete; pass what the page already loaded to spare the queries."""
    organisation = application.organisation
    if contributions is None:
        has_contributions = application.contributions.exists()
    else:
        has_contributions = bool(contributions)
    if course_types is None:
        material_counts = list(
            application.course_types.annotate(material_count=Count("materials")).values_list(
                "material_count", flat=True
            )
        )
    else:
        material_counts = [len(course_type.materials.all()) for course_type in course_types]
    return Progress(
        details=bool(
            organisation.address
            and organisation.contact_email
            and organisation.website
            and application.training_activity.strip()
        ),
        contributions=has_contributions,
        course_types=bool(material_counts) and all(material_counts),
        declaration=application.declaration_accepted_at is not None,
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
    request: HttpRequest,
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


# --- /apply/ ------------------------------------------------------------------------------


def _reapplicable(user: Any) -> QuerySet[Organisation]:
    """Organisations the user runs that may apply now: not certified, nothing in progress."""
    return (
        Organisation.objects.filter(memberships__user=user, memberships__role__in=APPLICANT_ROLES)
        .exclude(status=Organisation.Status.CERTIFIED)
        .exclude(applications__status__in=OPEN_STATUSES)
        .order_by("legal_name")
    )


def _render_apply(
    request: HttpRequest,
    *,
    form: OrganisationForm | None = None,
    reapply_form: ReapplyForm | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {
        "categories": Contribution.Category.labels,
        "opinion_days": settings.OPINION_PERIOD_DAYS,
        "accepted_types": ACCEPTED_EXTENSIONS,
        "max_file_mb": settings.MATERIAL_MAX_FILE_MB,
        "max_total_mb": settings.APPLICATION_MAX_TOTAL_MB,
    }
    if request.user.is_authenticated:
        organisations = _reapplicable(request.user)
        applications = list(
            Application.objects.filter(
                organisation__memberships__user=request.user,
                organisation__memberships__role__in=APPLICANT_ROLES,
            ).select_related("organisation")
        )
        context.update(
            form=form or OrganisationForm(),
            reapply_form=reapply_form or ReapplyForm(organisations=organisations),
            can_reapply=reapply_form is not None or organisations.exists(),
            open_applications=[a for a in applications if a.is_open],
            closed_applications=[a for a in applications if not a.is_open],
        )
    return render(request, "applications/apply.html", context)


def _started(request: HttpRequest, application: Application) -> HttpResponse:
    messages.success(
        request,
        _(
            "Your application %(code)s is started and saved as a draft. You can come back to it "
            "at any time; every step is saved as you go."
        )
        % {"code": application.code},
    )
    return redirect("applications:edit_details", application.code)


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """What the programme asks of applicants; logged-in people start an application here."""
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "GET" or not request.user.is_authenticated:
        return _render_apply(request)
    form = OrganisationForm(request.POST)
    if form.is_valid():
        try:
            application = services.start_application(by=request.user, details=form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, str(error))
        except IntegrityError:
            # Someone registered the same name between the check and the insert.
            form.add_error("legal_name", _("An organisation with this name is already registered."))
        else:
            return _started(request, application)
    return _render_apply(request, form=form)


@login_required
@require_POST
def reapply(request: HttpRequest) -> HttpResponse:
    form = ReapplyForm(request.POST, organisations=_reapplicable(request.user))
    if form.is_valid():
        try:
            application = services.start_application(
                by=request.user, organisation=form.cleaned_data["organisation"]
            )
        except ApplicationError as error:
            messages.error(request, str(error))
            return redirect("applications:apply")
        except IntegrityError:
            # Another owner started one at the same moment.
            messages.error(request, _("This organisation already has an application in progress."))
            return redirect("applications:apply")
        return _started(request, application)
    return _render_apply(request, reapply_form=form)


# --- Step 1: organisation and training activity -------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def edit_details(request: HttpRequest, code: str) -> HttpResponse:
    application = get_application_for(request, code, "application.edit")
    progress = progress_of(application)
    data = _data(request)
    # A fresh copy for the form, so that the page header keeps the saved name on errors.
    organisation_form = OrganisationForm(
        data,
        instance=Organisation.objects.get(pk=application.organisation_id),
        prefix="organisation",
    )
    activity_form = TrainingActivityForm(data, instance=application, prefix="activity")
    if request.method == "POST" and all([organisation_form.is_valid(), activity_form.is_valid()]):
        try:
            with transaction.atomic():
                services.touch(application, by=request.user, what="details_saved")
                organisation = organisation_form.save(commit=False)
                organisation.save(update_fields=[*OrganisationForm.Meta.fields, "updated_at"])
                application.save(update_fields=["training_activity"])
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
def contributions(request: HttpRequest, code: str) -> HttpResponse:
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
def contribution_form(request: HttpRequest, code: str, pk: int | None = None) -> HttpResponse:
    """Add a contribution, or with `pk` edit one of this application's contributions."""
    application = get_application_for(request, code, "application.edit")
    if pk is None:
        contribution = Contribution(application=application)
    else:
        contribution = get_object_or_404(application.contributions, pk=pk)
    form = ContributionForm(_data(request), instance=contribution)
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
def contribution_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
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
def course_types(request: HttpRequest, code: str) -> HttpResponse:
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
def course_type_add(request: HttpRequest, code: str) -> HttpResponse:
    application = get_application_for(request, code, "application.edit")
    form = CourseTypeForm(
        _data(request), instance=CourseType(organisation=application.organisation)
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
    request: HttpRequest,
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
def course_type(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """One course type: its description (editable here) and its training material."""
    application = get_application_for(request, code, "application.edit")
    item = _course_type_of(application, pk)
    form = CourseTypeForm(_data(request), instance=item)
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
def course_type_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
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
    request: HttpRequest, application: Application, item: CourseType
) -> HttpResponse:
    messages.success(request, _("The material is added."))
    url = reverse("applications:course_type", args=[application.code, item.pk])
    return HttpResponseRedirect(f"{url}#material")


@login_required
@require_POST
def material_upload(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    application = get_application_for(request, code, "application.edit")
    item = _course_type_of(application, pk)
    form = MaterialFileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_material(
                application,
                item,
                by=request.user,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                upload=request.FILES[form.add_prefix("file")],
            )
        except ApplicationError as error:
            form.add_error("file", str(error))
        else:
            return _material_added(request, application, item)
    return _render_course_type(request, application, item, upload_form=form)


@login_required
@require_POST
def material_link(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    application = get_application_for(request, code, "application.edit")
    item = _course_type_of(application, pk)
    form = MaterialLinkForm(request.POST)
    if form.is_valid():
        try:
            services.add_material(
                application,
                item,
                by=request.user,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                url=form.cleaned_data["url"],
            )
        except ApplicationError as error:
            form.add_error("url", str(error))
        else:
            return _material_added(request, application, item)
    return _render_course_type(request, application, item, link_form=form)


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
def material(request: HttpRequest, code: str, public_id: UUID) -> HttpResponse:
    """Material for applicants and reviewers: files from private storage, links redirected."""
    application = get_application_for(request, code)
    item = _material_of(application, public_id)
    if item.is_link:
        if not is_web_address(item.url):
            raise Http404
        return HttpResponseRedirect(item.url)
    try:
        stream = item.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=item.original_name or "material",
        content_type=CONTENT_TYPES.get(item.file_type, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def material_delete(request: HttpRequest, code: str, public_id: UUID) -> HttpResponse:
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
def declaration(request: HttpRequest, code: str) -> HttpResponse:
    application = get_application_for(request, code, "application.edit")
    form = DeclarationForm(_data(request))
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


def _missing_with_links(application: Application) -> list[dict[str, str]]:
    """What services.missing_for_submission reports, each with the page that fixes it."""
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
    for item in services.missing_for_submission(application):
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
def summary(request: HttpRequest, code: str) -> HttpResponse:
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
            "missing": _missing_with_links(application) if editable else [],
            "steps": step_list(application, progress, "summary") if editable else [],
            "progress": progress,
        },
    )


@login_required
@require_POST
def submit(request: HttpRequest, code: str) -> HttpResponse:
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


# --- Where the application stands ---------------------------------------------------------

WORKFLOW: list[tuple[tuple[str, ...], Promise]] = [
    ((Status.DRAFT, Status.CHANGES_REQUESTED), gettext_lazy("Preparation")),
    ((Status.SUBMITTED,), gettext_lazy("Submitted")),
    ((Status.INITIAL_REVIEW,), gettext_lazy("Initial review")),
    ((Status.COMMUNITY_REVIEW,), gettext_lazy("Local user groups")),
    ((Status.PSC_REVIEW,), gettext_lazy("PSC decision")),
    ((Status.APPROVED, Status.REJECTED), gettext_lazy("Decided")),
]


def workflow_stages(application: Application) -> list[dict[str, Any]]:
    """The progress indicator; empty for a withdrawn or expired application."""
    position = next(
        (index for index, (states, _label) in enumerate(WORKFLOW) if application.status in states),
        None,
    )
    if position is None:
        return []
    stages = []
    for index, (_states, label) in enumerate(WORKFLOW):
        if index == position and application.status != Status.DRAFT:
            label = application.get_status_display()  # "Changes requested", "Approved"…
        stages.append(
            {
                "label": label,
                "state": "done" if index < position else "current" if index == position else "next",
            }
        )
    return stages


def expires_on(application: Application) -> datetime | None:
    period = services.expiry_period(application)
    return application.last_activity_at + period if period else None


def _render_detail(
    request: HttpRequest, application: Application, *, message_form: MessageForm | None = None
) -> HttpResponse:
    user = request.user
    # Internal notes are for reviewers only: they never leave the database for this page.
    thread = list(
        application.messages.filter(kind__in=[Message.Kind.COMMENT, Message.Kind.CHANGE_REQUEST])
    )
    change_requests = [message for message in thread if message.kind == Message.Kind.CHANGE_REQUEST]
    decided = application.status in (Status.APPROVED, Status.REJECTED)
    editable = can(user, "application.edit", application)
    steps = step_list(application, progress_of(application), "") if editable else []
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "organisation": application.organisation,
            "stages": workflow_stages(application),
            "expires_at": expires_on(application),
            "opinion_days": settings.OPINION_PERIOD_DAYS,
            "thread": thread,
            "latest_change_request": change_requests[-1] if change_requests else None,
            "decision": Decision.objects.filter(application=application).first()
            if decided
            else None,
            "snapshots": list(application.snapshots.defer("data")),
            "editable": editable,
            "steps": steps,
            # The first step still to do, or the summary once everything is there.
            "next_step": next((step for step in steps if not step["done"]), None),
            "can_post": can(user, "application.post_message", application),
            "can_withdraw": can(user, "application.withdraw", application),
            "is_reviewer": can(user, "application.view_as_reviewer", application),
            "message_form": message_form or MessageForm(),
        },
    )


@login_required
@require_GET
def detail(request: HttpRequest, code: str) -> HttpResponse:
    return _render_detail(request, get_application_for(request, code))


@login_required
@require_POST
def post_message(request: HttpRequest, code: str) -> HttpResponse:
    application = get_application_for(request, code, "application.post_message")
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.post_message(application, by=request.user, body=form.cleaned_data["body"])
        except ApplicationError as error:
            form.add_error("body", str(error))
        else:
            messages.success(request, _("Your message is posted."))
            url = reverse("applications:detail", args=[application.code])
            return HttpResponseRedirect(f"{url}#discussion")
    return _render_detail(request, application, message_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    application = get_application_for(request, code, "application.withdraw")
    form = WithdrawForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_application(
                application, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The application %(code)s is withdrawn. You are welcome to apply again later.")
                % {"code": application.code},
            )
        return redirect("applications:detail", application.code)
    return render(
        request,
        "applications/withdraw.html",
        {"application": application, "organisation": application.organisation, "form": form},
    )


def _readable_snapshot(data: dict[str, Any]) -> dict[str, Any]:
    """A frozen version, with names in place of the codes it stores."""
    organisation = dict(data.get("organisation", {}))
    organisation["country_name"] = countries.name(organisation.get("country", "")) or ""
    kinds = dict(CourseMaterial.Kind.choices)
    course_types = [
        {
            **item,
            "language_names": language_names(item.get("languages", [])),
            "materials": [
                {**material, "kind_label": kinds.get(material.get("kind"), material.get("kind"))}
                for material in item.get("materials", [])
            ],
        }
        for item in data.get("course_types", [])
    ]
    return {
        "organisation": organisation,
        "training_activity": data.get("training_activity", ""),
        "contributions": data.get("contributions", []),
        "course_types": course_types,
    }


@login_required
@require_GET
def version(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """One submitted version, as it was sent."""
    application = get_application_for(request, code)
    snapshot = get_object_or_404(application.snapshots, round=number)
    return render(
        request,
        "applications/version.html",
        {
            "application": application,
            "organisation": application.organisation,
            "snapshot": snapshot,
            "version": _readable_snapshot(snapshot.data),
        },
    )
