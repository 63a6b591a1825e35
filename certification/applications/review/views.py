"""The reviewers' workspace: queues, the reviewer page of an application and its actions,
the outside reviewers' opinion page and the user groups.

Every view loads what it touches through one access helper and asks the rules again, so a
control hidden in a template is never the only guard. State changes call the services.
The workspace's other pages live beside what they change: the organisations' status in
`organisations/review/`, the proposed course types in `training/review/`.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certification.accounts.http import AuthenticatedHttpRequest
from certification.accounts.permissions import can, require
from certification.applications import services
from certification.applications.models import Application, OpinionRequest, Status, UserGroup
from certification.applications.review import queries
from certification.applications.review.forms import (
    ChecklistForm,
    CommunityReviewForm,
    DecisionForm,
    InternalNoteForm,
    InviteOutsideReviewerForm,
    MessageForm,
    OpinionForm,
    QueueFilterForm,
    RequestChangesForm,
    UserGroupForm,
)
from certification.applications.services import ApplicationError
from certification.organisations.services import STATUS_TRANSITIONS

PAGE_SIZE = 25


# --- Access -------------------------------------------------------------------------------


def get_application_for_reviewer(
    request: AuthenticatedHttpRequest, code: str, *, action: str | None = None
) -> Application:
    """The application, if the user may look at it as a reviewer.

    Someone who may not review it at all (its own applicants, other organisations, a user
    group that was never asked, anyone while it is a draft) gets a 404; a reviewer who may
    look but not take `action` gets a 403.
    """
    application = get_object_or_404(
        Application.objects.select_related("organisation", "decision__decided_by"), code=code
    )
    if not can(request.user, "application.view_as_reviewer", application):
        raise Http404
    if action is not None:
        require(request.user, action, application)
    return application


def _current_opinion_request(application: Application, group_slug: str) -> OpinionRequest:
    opinion_request = get_object_or_404(
        application.opinion_requests.select_related("user_group"),
        user_group__slug=group_slug,
        round=application.review_round,
    )
    opinion_request.application = application
    return opinion_request


# --- Workspace ----------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request.user, "review.workspace")
    available = queries.queues_for(request.user)
    if not available:
        raise PermissionDenied
    by_key = {item.key: item for item in available}
    chosen = by_key.get(request.GET.get("queue", ""), available[0])
    form = QueueFilterForm(
        request.GET,
        statuses=queries.status_choices(chosen),
        countries=queries.country_choices(request.user, chosen),
    )
    status, country = form.value("status"), form.value("country")
    items: QuerySet[OpinionRequest] | QuerySet[Application]
    if chosen.lists_opinions:
        items = queries.opinion_queue(request.user, country=country)
    else:
        items = queries.application_queue(request.user, chosen, status=status, country=country)
    return render(
        request,
        "review/queue.html",
        {
            "queues": available,
            "chosen": chosen,
            "form": form,
            "page_obj": Paginator(items, PAGE_SIZE).get_page(request.GET.get("page")),
            "filtered": bool(status or country),
        },
    )


# --- The reviewer page of an application -------------------------------------------------


def _opinion_forms(
    request: AuthenticatedHttpRequest,
    current: list[OpinionRequest],
    bound: dict[str, forms.Form],
) -> list[tuple[OpinionRequest, forms.Form]]:
    """A form for each opinion the user may give now (at most one per user group)."""
    result = []
    for opinion_request in current:
        reviewers = opinion_request.user_group.reviewers.all()  # prefetched
        if request.user not in reviewers:
            continue  # spares the rule its query
        if can(request.user, "application.give_opinion", opinion_request):
            prefix = f"opinion-{opinion_request.user_group.slug}"
            form = bound.get(prefix) or OpinionForm(prefix=prefix)
            result.append((opinion_request, form))
    return result


def _render_application(
    request: AuthenticatedHttpRequest,
    application: Application,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The reviewer page; `bound` holds a submitted form to show again with its errors."""
    bound = bound or {}
    rounds = queries.opinion_rounds(application)
    current = dict(rounds).get(application.review_round, [])
    all_messages = list(application.messages.all())

    def form(prefix: str, form_class: type[forms.Form], **kwargs: Any) -> forms.Form:
        return bound.get(prefix) or form_class(prefix=prefix, **kwargs)

    context = {
        **queries.submission(application),
        "decision": getattr(application, "decision", None),
        "opinion_rounds": rounds,
        "awaited_opinions": [
            (r, form(f"invite-{r.user_group.slug}", InviteOutsideReviewerForm))
            for r in current
            if r.is_awaited
        ],
        "opinion_forms": _opinion_forms(request, current, bound),
        "discussion": [m for m in all_messages if not m.is_internal],
        "internal_notes": [m for m in all_messages if m.is_internal]
        if can(request.user, "application.internal_notes", application)
        else [],
        "timeline": queries.timeline(application),
        "versions": [queries.snapshot_version(s) for s in application.snapshots.all()],
        "status_transitions": STATUS_TRANSITIONS.get(application.organisation.status),
        "checklist_form": form("checklist", ChecklistForm, initial=application.checklist),
        "changes_form": form("changes", RequestChangesForm),
        "community_form": form("community", CommunityReviewForm),
        "decision_form": form("decision", DecisionForm),
        "reply_form": form("reply", MessageForm),
        "note_form": form("note", InternalNoteForm),
        "review_steps": Status.review_steps(),
        "now": timezone.now(),
    }
    return render(request, "review/application.html", context, status=status)


def _back(application: Application, anchor: str = "") -> HttpResponse:
    response = redirect("review:application", application.code)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@login_required
@require_GET
def application_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    return _render_application(request, get_application_for_reviewer(request, code))


def _submit(
    request: AuthenticatedHttpRequest,
    application: Application,
    form: forms.Form,
    step: Callable[[dict[str, Any]], str],
    *,
    anchor: str = "",
) -> HttpResponse:
    """Run `step` with the form's data and go back to the reviewer page.

    An invalid form shows the page again with its errors (400); a step the service refuses
    says why; a step done shows the success message that `step` returns.
    """
    if not form.is_valid():
        bound = {form.prefix or "": form}
        return _render_application(request, application, bound=bound, status=400)
    try:
        messages.success(request, step(form.cleaned_data))
    except ApplicationError as error:
        messages.error(request, str(error))
    return _back(application, anchor)


@login_required
@require_POST
def start_initial_review(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    application = get_application_for_reviewer(request, code, action="application.review")
    try:
        services.start_initial_review(application, by=request.user)
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The initial review has started."))
    return _back(application, "actions")


@login_required
@require_POST
def save_checklist(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    application = get_application_for_reviewer(request, code, action="application.review")
    form = ChecklistForm(request.POST, prefix="checklist")

    def step(data: dict[str, Any]) -> str:
        with transaction.atomic():  # the comment is kept only with the checklist
            services.save_checklist(application, by=request.user, checklist=form.checklist())
            if data["comment"]:
                services.post_message(
                    application, by=request.user, body=data["comment"], internal=True
                )
        return _("The checklist has been saved.")

    return _submit(request, application, form, step, anchor="actions")


@login_required
@require_POST
def request_changes(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    application = get_application_for_reviewer(request, code, action="application.review")

    def step(data: dict[str, Any]) -> str:
        services.request_changes(application, by=request.user, message=data["message"])
        return _("The application has gone back to the applicant with your request.")

    return _submit(request, application, RequestChangesForm(request.POST, prefix="changes"), step)


@login_required
@require_POST
def send_to_community_review(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    application = get_application_for_reviewer(request, code, action="application.review")

    def step(data: dict[str, Any]) -> str:
        asked = services.send_to_community_review(application, by=request.user)
        if not asked:
            return _(
                "No user group covers %(country)s, so the application has gone straight to the "
                "PSC. The applicant has been encouraged to found a user group."
            ) % {"country": application.organisation.country.name}
        return ngettext(
            "The application has gone to %(count)d user group for its opinion: %(names)s.",
            "The application has gone to %(count)d user groups for their opinions: %(names)s.",
            len(asked),
        ) % {"count": len(asked), "names": ", ".join(r.user_group.name for r in asked)}

    form = CommunityReviewForm(request.POST, prefix="community")
    return _submit(request, application, form, step)


@login_required
@require_POST
def invite_outside_reviewer(
    request: AuthenticatedHttpRequest, code: str, group: str
) -> HttpResponse:
    application = get_application_for_reviewer(request, code, action="application.review")
    opinion_request = _current_opinion_request(application, group)

    def step(data: dict[str, Any]) -> str:
        services.invite_outside_reviewer(
            opinion_request,
            by=request.user,
            email=data["email"],
            name=data["name"],
            language=data["language"],
        )
        return _("%(name)s has been invited by email to give the opinion of %(group)s.") % {
            "name": data["name"],
            "group": opinion_request.user_group.name,
        }

    form = InviteOutsideReviewerForm(request.POST, prefix=f"invite-{group}")
    return _submit(request, application, form, step, anchor="opinions")


@login_required
@require_POST
def give_opinion(request: AuthenticatedHttpRequest, code: str, group: str) -> HttpResponse:
    application = get_application_for_reviewer(request, code)
    opinion_request = _current_opinion_request(application, group)
    require(request.user, "application.give_opinion", opinion_request)

    def step(data: dict[str, Any]) -> str:
        services.record_opinion(
            opinion_request, by=request.user, verdict=data["verdict"], reasons=data["reasons"]
        )
        return _("The opinion of %(group)s has been recorded. Thank you.") % {
            "group": opinion_request.user_group.name
        }

    form = OpinionForm(request.POST, prefix=f"opinion-{group}")
    return _submit(request, application, form, step, anchor="opinions")


@login_required
@require_POST
def record_decision(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    application = get_application_for_reviewer(request, code, action="application.decide")

    def step(data: dict[str, Any]) -> str:
        services.record_decision(
            application,
            by=request.user,
            outcome=data["outcome"],
            rationale=data["rationale"],
            votes_for=data["votes_for"],
            votes_against=data["votes_against"],
            abstentions=data["abstentions"],
        )
        return _("The decision has been recorded and the applicant informed.")

    return _submit(request, application, DecisionForm(request.POST, prefix="decision"), step)


@login_required
@require_POST
def post_reply(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    application = get_application_for_reviewer(request, code, action="application.post_message")

    def step(data: dict[str, Any]) -> str:
        services.post_message(application, by=request.user, body=data["body"])
        return _("Your message has been sent to the applicant.")

    form = MessageForm(request.POST, prefix="reply")
    return _submit(request, application, form, step, anchor="discussion")


@login_required
@require_POST
def add_internal_note(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    application = get_application_for_reviewer(request, code, action="application.internal_notes")

    def step(data: dict[str, Any]) -> str:
        services.post_message(application, by=request.user, body=data["body"], internal=True)
        return _("The internal note has been added.")

    form = InternalNoteForm(request.POST, prefix="note")
    return _submit(request, application, form, step, anchor="internal-notes")


# --- Outside reviewers (signed link, no account) ------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def invited_opinion(request: HttpRequest, token: str) -> HttpResponse:
    # The signed link, not an account, lets the outside reviewer in; it stops working once
    # the opinion is given or no longer awaited.
    invitation = services.invitation_from_token(token)
    if invitation is None:
        return render(request, "review/invitation_invalid.html", status=404)
    opinion_request = invitation.opinion_request
    form = OpinionForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            services.record_opinion(
                opinion_request,
                invitation=invitation,
                verdict=form.cleaned_data["verdict"],
                reasons=form.cleaned_data["reasons"],
            )
        except ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your opinion has been recorded. Thank you."))
            return redirect("review:invited_opinion_thanks")
    return render(
        request,
        "review/invited_opinion.html",
        {
            **queries.submission(opinion_request.application),
            "invitation": invitation,
            "opinion_request": opinion_request,
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


@require_GET
def invited_opinion_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "review/invited_opinion_thanks.html")


# --- User groups --------------------------------------------------------------------------


@login_required
@require_GET
def user_groups(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request.user, "user_group.manage")
    groups = UserGroup.objects.prefetch_related("reviewers").order_by("name")
    return render(request, "review/user_groups.html", {"groups": groups})


def _user_group_form(request: AuthenticatedHttpRequest, group: UserGroup) -> HttpResponse:
    form = UserGroupForm(request.POST if request.method == "POST" else None, instance=group)
    if form.is_valid():
        saved = services.save_user_group(
            form.save(commit=False), by=request.user, reviewers=form.cleaned_data["reviewer_emails"]
        )
        messages.success(request, _("The user group %(name)s has been saved.") % {"name": saved})
        return redirect("review:user_groups")
    return render(
        request,
        "review/user_group_form.html",
        {"form": form, "group": group},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_group_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request.user, "user_group.manage")
    return _user_group_form(request, UserGroup())


@login_required
@require_http_methods(["GET", "POST"])
def user_group_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    require(request.user, "user_group.manage")
    return _user_group_form(request, get_object_or_404(UserGroup, slug=slug))
