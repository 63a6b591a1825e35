"""The applicant's pages around the steps: /apply/, and of /applications/<code>/… the
application's own page, its discussion, withdrawal and submitted versions.

Each view loads the application through `get_application_for`, parses a form, calls one
service of `services.py` and redirects with a message. The steps of filling in a draft are
in `steps.py`; the reviewers' pages in `applications/review/`.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_countries import countries

from certification.accounts.http import AuthenticatedHttpRequest
from certification.accounts.models import User
from certification.accounts.permissions import can
from certification.applications import services
from certification.applications.access import get_application_for, posted_data
from certification.applications.forms import (
    MessageForm,
    OrganisationForm,
    ReapplyForm,
    WithdrawForm,
)
from certification.applications.models import (
    Application,
    Contribution,
    Decision,
    Message,
    Status,
)
from certification.applications.services import ApplicationError
from certification.applications.views.steps import progress_of, step_list
from certification.organisations.models import Membership, Organisation
from certification.training.languages import language_names
from certification.training.models import CourseMaterial
from certification.training.uploads import ACCEPTED_EXTENSIONS

APPLICANT_ROLES = [Membership.Role.OWNER, Membership.Role.MANAGER]


# --- /apply/ ------------------------------------------------------------------------------


def _reapplicable(user: User) -> QuerySet[Organisation]:
    """Organisations the user runs that may apply now: not certified, nothing in progress."""
    return (
        Organisation.objects.filter(memberships__user=user, memberships__role__in=APPLICANT_ROLES)
        .exclude(status=Organisation.Status.CERTIFIED)
        .exclude(applications__status__in=Status.open())
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
    if isinstance(request.user, User):  # the page also explains the programme to visitors
        organisations = _reapplicable(request.user)
        applications = list(Application.objects.run_by(request.user).select_related("organisation"))
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
    if request.method == "POST" and not isinstance(request.user, User):
        return redirect_to_login(request.get_full_path())
    if request.method == "GET" or not isinstance(request.user, User):
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
def reapply(request: AuthenticatedHttpRequest) -> HttpResponse:
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


# --- Where the application stands ---------------------------------------------------------

WORKFLOW: list[tuple[tuple[str, ...], Promise]] = [
    (Status.editable(), gettext_lazy("Preparation")),
    ((Status.SUBMITTED,), gettext_lazy("Submitted")),
    ((Status.INITIAL_REVIEW,), gettext_lazy("Initial review")),
    ((Status.COMMUNITY_REVIEW,), gettext_lazy("Local user groups")),
    ((Status.PSC_REVIEW,), gettext_lazy("PSC decision")),
    (Status.decided(), gettext_lazy("Decided")),
]


COMMUNITY_STAGE = 3


def workflow_stages(application: Application) -> list[dict[str, Any]]:
    """The progress indicator; empty for a withdrawn or expired application."""
    position = next(
        (index for index, (states, _label) in enumerate(WORKFLOW) if application.status in states),
        None,
    )
    if position is None:
        return []
    # Without a user group for the country, the community stage is skipped, not done.
    skipped_community = position > COMMUNITY_STAGE and not application.opinion_requests.exists()
    stages = []
    for index, (_states, stage_label) in enumerate(WORKFLOW):
        label: str | Promise = stage_label
        if index == position and application.status != Status.DRAFT:
            label = application.get_status_display()  # "Changes requested", "Approved"…
        if index == COMMUNITY_STAGE and skipped_community:
            stages.append({"label": label, "state": "skipped"})
            continue
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
    request: AuthenticatedHttpRequest,
    application: Application,
    *,
    message_form: MessageForm | None = None,
) -> HttpResponse:
    user = request.user
    # Internal notes are for reviewers only: they never leave the database for this page.
    thread = list(
        application.messages.filter(kind__in=[Message.Kind.COMMENT, Message.Kind.CHANGE_REQUEST])
    )
    change_requests = [message for message in thread if message.kind == Message.Kind.CHANGE_REQUEST]
    decided = application.status in Status.decided()
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
def detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    return _render_detail(request, get_application_for(request, code))


@login_required
@require_POST
def post_message(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
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
def withdraw(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    application = get_application_for(request, code, "application.withdraw")
    form = WithdrawForm(posted_data(request))
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
def version(request: AuthenticatedHttpRequest, code: str, number: int) -> HttpResponse:
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
