"""Reads of the reviewers' workspace: the queues, each in a fixed number of queries, and
what the reviewer page of an application shows."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries as all_countries

from certification.accounts.models import User
from certification.accounts.permissions import acts_as
from certification.accounts.roles import GlobalRole
from certification.applications.models import (
    Application,
    ApplicationQuerySet,
    OpinionRequest,
    Snapshot,
    Status,
)
from certification.core.models import AuditEvent
from certification.training.languages import language_names

OPINIONS = "opinions"


@dataclass(frozen=True)
class Queue:
    key: str
    label: str | Promise
    roles: tuple[GlobalRole, ...]
    statuses: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ("status_changed_at", "pk")

    @property
    def lists_opinions(self) -> bool:
        return self.key == OPINIONS


QUEUES = [
    Queue(
        "team",
        _("To review"),
        (GlobalRole.CERTIFICATION_TEAM,),
        (Status.SUBMITTED, Status.INITIAL_REVIEW, Status.CHANGES_REQUESTED),
    ),
    Queue("psc", _("Awaiting the PSC"), (GlobalRole.PSC_MEMBER,), (Status.PSC_REVIEW,)),
    Queue(OPINIONS, _("Opinions asked of your user groups"), (GlobalRole.USER_GROUP_REVIEWER,)),
    Queue(
        "open",
        _("All open applications"),
        (GlobalRole.CERTIFICATION_TEAM, GlobalRole.PSC_MEMBER),
        Status.open_past_draft(),
    ),
    Queue(
        "closed",
        _("Closed applications"),
        (GlobalRole.CERTIFICATION_TEAM, GlobalRole.PSC_MEMBER),
        Status.closed(),
        ("-status_changed_at", "-pk"),
    ),
]


def queues_for(user: User) -> list[Queue]:
    """The queues a person works on, by their global roles; the first is their default."""
    return [queue for queue in QUEUES if any(acts_as(user, role) for role in queue.roles)]


def status_choices(queue: Queue) -> list[tuple[str, Any]]:
    return [(status, Status(status).label) for status in queue.statuses]


def _applications(user: User, queue: Queue, *, status: str, country: str) -> ApplicationQuerySet:
    applications = Application.objects.filter(
        status__in=[status] if status else queue.statuses
    ).exclude(organisation__memberships__user=user)
    if country:
        applications = applications.filter(organisation__country=country)
    return applications


def application_queue(
    user: Any, queue: Queue, *, status: str = "", country: str = ""
) -> ApplicationQuerySet:
    """The applications of one queue, never those of the user's own organisations."""
    applications = _applications(user, queue, status=status, country=country)
    return applications.for_queue().order_by(*queue.ordering)


def opinion_queue(user: User, *, country: str = "") -> QuerySet[OpinionRequest]:
    """The opinions still awaited from the user's user groups, in this review round."""
    requests = (
        OpinionRequest.objects.awaited()
        .filter(user_group__reviewers=user)
        .exclude(application__organisation__memberships__user=user)
        .select_related("application__organisation", "user_group")
    )
    if country:
        requests = requests.filter(application__organisation__country=country)
    return requests.order_by("due_at", "pk")


def country_choices(user: User, queue: Queue) -> list[tuple[str, str]]:
    """The countries that occur in a queue, by name, for its filter."""
    codes: QuerySet[Any, str]
    if queue.lists_opinions:
        codes = opinion_queue(user).values_list("application__organisation__country", flat=True)
    else:
        applications = _applications(user, queue, status="", country="")
        codes = applications.values_list("organisation__country", flat=True)
    present = {str(code) for code in codes.order_by().distinct()}
    return sorted(
        ((code, str(all_countries.name(code))) for code in present if code),
        key=lambda choice: choice[1],
    )


# --- What the reviewer page shows ---------------------------------------------------------


def submission(application: Application) -> dict[str, Any]:
    """What the applicant submitted, from the live rows, for `review/_submission.html`."""
    return {
        "application": application,
        "organisation": application.organisation,
        "contributions": list(application.contributions.all()),
        "course_types": list(application.course_types.prefetch_related("materials")),
    }


def opinion_rounds(application: Application) -> list[tuple[int, list[OpinionRequest]]]:
    """The opinions asked, per review round, newest round first, each group by name."""
    rounds: dict[int, list[OpinionRequest]] = {}
    opinion_requests = (
        application.opinion_requests.select_related("user_group", "given_by")
        .prefetch_related("user_group__reviewers", "invitations")
        .order_by("-round", "user_group__name")
    )
    for opinion_request in opinion_requests:
        opinion_request.application = application
        rounds.setdefault(opinion_request.round, []).append(opinion_request)
    return list(rounds.items())


TIMELINE_LABELS: dict[str, Promise] = {
    "application.started": _("Application started"),
    "application.contribution_saved": _("Contribution saved"),
    "application.contribution_deleted": _("Contribution deleted"),
    "application.course_type_saved": _("Course type saved"),
    "application.course_type_deleted": _("Course type deleted"),
    "application.material_added": _("Training material added"),
    "application.material_deleted": _("Training material removed"),
    "application.declaration_accepted": _("Declaration accepted"),
    "application.submitted": _("Submitted"),
    "application.withdrawn": _("Withdrawn by the applicant"),
    "application.initial_review_started": _("Initial review started"),
    "application.checklist_saved": _("Initial review checklist saved"),
    "application.changes_requested": _("Changes requested"),
    "application.community_review_started": _("Sent to community review"),
    "application.outside_reviewer_invited": _("Outside reviewer invited"),
    "application.opinion_given": _("Opinion given"),
    "application.opinion_reminder_sent": _("Opinion reminder sent"),
    "application.psc_review_started": _("Sent to the PSC"),
    "application.approved": _("Approved by the PSC"),
    "application.rejected": _("Rejected by the PSC"),
    "application.note_added": _("Internal note added"),
    "application.message_posted": _("Message posted"),
    "application.expiry_warned": _("Expiry warning sent"),
    "application.expired": _("Expired"),
}

PSC_REASONS: dict[str, Promise] = {
    "no_user_group": _("no user group covers the country"),
    "all_opinions_given": _("every user group asked has given its opinion"),
    "opinions_overdue": _("the month for the opinions has passed"),
}


def timeline_label(action: str) -> str:
    label = TIMELINE_LABELS.get(action)
    if label is not None:
        return str(label)
    # An action this page does not know yet still reads well: "details_saved" → "Details saved".
    return action.rpartition(".")[2].replace("_", " ").capitalize()


def timeline_detail(action: str, data: dict[str, Any]) -> str:
    """One short line about an event's details, where they help a reviewer."""
    if action == "application.submitted" and data.get("round"):
        return gettext("Version %(round)s") % {"round": data["round"]}
    if action == "application.community_review_started":
        return ", ".join(data.get("user_groups", []))
    if action == "application.psc_review_started":
        return str(PSC_REASONS.get(data.get("reason", ""), ""))
    if action == "application.opinion_given":
        verdict = data.get("verdict", "")
        known = verdict in OpinionRequest.Verdict.values
        label = OpinionRequest.Verdict(verdict).label if known else verdict
        return f"{data.get('user_group', '')}: {label}"
    if action == "application.outside_reviewer_invited":
        return f"{data.get('user_group', '')}: {data.get('email', '')}"
    if action == "application.opinion_reminder_sent":
        return str(data.get("user_group", ""))
    if action == "application.changes_requested" and data.get("from") in Status.values:
        return gettext("During %(step)s") % {"step": Status(data["from"]).label.lower()}
    return ""


def timeline(application: Application) -> list[dict[str, Any]]:
    """The application's audit events, newest first, in words (one query)."""
    return [
        {
            "at": event.created_at,
            "who": event.actor.get_full_name() if event.actor else event.actor_label,
            "label": timeline_label(event.action),
            "detail": timeline_detail(event.action, event.data or {}),
        }
        for event in AuditEvent.objects.for_object(application)
    ]


def snapshot_version(snapshot: Snapshot) -> dict[str, Any]:
    """A frozen submission, shaped like the live one for the same template."""
    data = snapshot.data or {}
    return {
        "round": snapshot.round,
        "created_at": snapshot.created_at,
        "organisation": data.get("organisation", {}),
        "training_activity": data.get("training_activity", ""),
        "contributions": data.get("contributions", []),
        "course_types": [
            {
                **item,
                "outcomes": [
                    line.strip()
                    for line in str(item.get("learning_outcomes", "")).splitlines()
                    if line.strip()
                ],
                "language_names": language_names(item.get("languages") or []),
            }
            for item in data.get("course_types", [])
        ],
    }


def reviewer_queue_size(user: User) -> int:
    """How many items wait in the person's default queue (the first one they work on)."""
    queues = queues_for(user)
    if not queues:
        return 0
    queue = queues[0]
    if queue.lists_opinions:
        return opinion_queue(user).count()
    return _applications(user, queue, status="", country="").count()
