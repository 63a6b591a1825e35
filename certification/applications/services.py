"""State changes of applications: each one atomic, guarded, audited and announced.

The applicant side (start, edit, submit, withdraw) and the review side (initial review,
community review, PSC decision) follow DESIGN.md's workflow:

    draft → submitted → initial_review → community_review → psc_review → approved | rejected

with changes_requested reachable from each review step and withdrawn by the applicant.

Each service that a person calls asks that person's rule (`rules.py`) itself with `require()`,
after its checks of the application's state, so that a refusal because of the state keeps its
explanation. Jobs (reminders, escalation, expiry) act with `by=None`.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from certification.accounts.models import User
from certification.accounts.permissions import require
from certification.accounts.roles import GlobalRole, has_role
from certification.accounts.services import grant_role
from certification.applications import notifications
from certification.applications.models import (
    Application,
    ChecklistItem,
    Contribution,
    Decision,
    Message,
    OpinionRequest,
    ReviewerInvitation,
    Snapshot,
    Status,
    UserGroup,
)
from certification.core.audit import record_event
from certification.core.mapversion import map_changed
from certification.core.weblinks import is_web_link
from certification.organisations.models import Membership, Organisation
from certification.training.models import CourseMaterial, CourseType
from certification.training.services import (
    CourseTypeError,
    attach_material,
    material_bytes,
    remove_material,
)

INVITATION_SALT = "applications.reviewer-invitation"
# The organisation's details that the applicant gives with the application.
ORGANISATION_DETAILS = [
    "legal_name",
    "country",
    "address",
    "website",
    "contact_email",
    "vat_number",
]


class ApplicationError(Exception):
    """A step that the application's current state does not allow; the message says why."""


def _lock(application: Application) -> Application:
    """Re-read the application under a row lock, so two reviewers cannot both move it."""
    return (
        Application.objects.select_for_update()
        .select_related("organisation")
        .get(pk=application.pk)
    )


def _set_status(application: Application, status: Status, *, now: datetime | None = None) -> None:
    now = now or timezone.now()
    application.status = status
    application.status_changed_at = now
    application.last_activity_at = now
    fields = ["status", "status_changed_at", "last_activity_at"]
    if status in Status.closed():
        application.closed_at = now
        fields.append("closed_at")
    application.save(update_fields=fields)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "organisation"
    slug, counter = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


# --- Applicant side -----------------------------------------------------------------------


def start_application(
    *, by: User, organisation: Organisation | None = None, details: dict[str, Any] | None = None
) -> Application:
    """A new draft: for a new organisation described by `details`, or a re-application."""
    with transaction.atomic():
        if organisation is None:
            if not details:
                raise ApplicationError(_("Describe the organisation first."))
            if Organisation.objects.filter(
                legal_name__iexact=details["legal_name"].strip()
            ).exists():
                raise ApplicationError(
                    _(
                        "An organisation with this name is already registered. If it is yours, "
                        "ask one of its owners to invite you."
                    )
                )
            organisation = Organisation.objects.create(
                slug=_unique_slug(details["legal_name"]),
                status=Organisation.Status.APPLICANT,
                **details,
            )
            Membership.objects.create(
                user=by, organisation=organisation, role=Membership.Role.OWNER
            )
            record_event("organisation.created", actor=by, target=organisation)
        elif organisation.applications.open().exists():
            raise ApplicationError(_("This organisation already has an application in progress."))
        elif organisation.status == Organisation.Status.CERTIFIED:
            raise ApplicationError(_("This organisation is already certified."))
        application = Application.objects.create(organisation=organisation, created_by=by)
        record_event("application.started", actor=by, target=application)
    return application


def record_applicant_edit(application: Application, *, by: User, action: str) -> None:
    """Lock the application, refuse unless it is still editable and `by` may edit it, note
    the activity (which keeps a draft from expiring) and write the audit event `action`.

    Every change of the applicant to a draft starts here. The row lock makes an edit wait for
    a submission running at the same moment, which then either froze the edit into its
    snapshot or refuses it here.
    """
    with transaction.atomic():
        current = _lock(application)
        if not current.is_editable:
            raise ApplicationError(_("This application can no longer be edited."))
        require(by, "application.edit", current)
        application.last_activity_at = timezone.now()
        application.expiry_warning_sent_at = None
        Application.objects.filter(pk=application.pk).update(
            last_activity_at=application.last_activity_at, expiry_warning_sent_at=None
        )
        record_event(action, actor=by, target=application)


def save_details(
    application: Application, organisation: Organisation, *, by: User, training_activity: str
) -> None:
    """The organisation's details (`ORGANISATION_DETAILS`, changed on `organisation`) and the
    description of its training activity, saved together."""
    with transaction.atomic():
        record_applicant_edit(application, by=by, action="application.details_saved")
        organisation.save(update_fields=[*ORGANISATION_DETAILS, "updated_at"])
        if organisation.is_certified:  # reinstated while it re-applies: its name is on the map
            map_changed()
        application.training_activity = training_activity
        application.save(update_fields=["training_activity"])


def save_contribution(application: Application, contribution: Contribution, *, by: User) -> None:
    for link in contribution.evidence_links:
        if not is_web_link(link):
            raise ApplicationError(
                _("Only http and https links are accepted: %(link)s") % {"link": link}
            )
    with transaction.atomic():
        record_applicant_edit(application, by=by, action="application.contribution_saved")
        contribution.application = application
        contribution.save()


def delete_contribution(contribution: Contribution, *, by: User) -> None:
    with transaction.atomic():
        record_applicant_edit(
            contribution.application, by=by, action="application.contribution_deleted"
        )
        contribution.delete()


def save_course_type(application: Application, course_type: CourseType, *, by: User) -> None:
    with transaction.atomic():
        record_applicant_edit(application, by=by, action="application.course_type_saved")
        course_type.organisation = application.organisation
        is_new = course_type.pk is None
        course_type.save()
        if is_new:
            application.course_types.add(course_type)


def delete_course_type(application: Application, course_type: CourseType, *, by: User) -> None:
    with transaction.atomic():
        record_applicant_edit(application, by=by, action="application.course_type_deleted")
        if course_type.status == CourseType.Status.APPROVED:
            # An approved type of an earlier certification stays; it only leaves this application.
            application.course_types.remove(course_type)
        else:
            stored = [(m.file.storage, m.file.name) for m in course_type.materials.exclude(file="")]
            course_type.delete()

            def delete_files() -> None:
                for storage, name in stored:
                    if name:
                        storage.delete(name)

            # Files go only once the rows are surely gone.
            transaction.on_commit(delete_files)


def add_material(
    application: Application,
    course_type: CourseType,
    *,
    by: User,
    kind: str,
    title: str,
    upload: UploadedFile[bytes] | None = None,
    url: str = "",
) -> CourseMaterial:
    """Attach a file or a link to one of the application's course types, within its quota."""
    with transaction.atomic():
        record_applicant_edit(application, by=by, action="application.material_added")
        try:
            return attach_material(
                course_type,
                by=by,
                kind=kind,
                title=title,
                upload=upload,
                url=url,
                bytes_used=material_bytes(application.course_types.all()),
            )
        except CourseTypeError as error:
            raise ApplicationError(str(error)) from error


def delete_material(application: Application, material: CourseMaterial, *, by: User) -> None:
    with transaction.atomic():
        record_applicant_edit(application, by=by, action="application.material_deleted")
        remove_material(material, by=by)


def accept_declaration(application: Application, *, by: User) -> None:
    with transaction.atomic():
        record_applicant_edit(application, by=by, action="application.declaration_accepted")
        application.declaration_accepted_at = timezone.now()
        application.declaration_accepted_by = by
        application.save(update_fields=["declaration_accepted_at", "declaration_accepted_by"])


def _snapshot(application: Application) -> dict[str, Any]:
    organisation = application.organisation
    return {
        "organisation": {
            "legal_name": organisation.legal_name,
            "country": str(organisation.country),
            "address": organisation.address,
            "website": organisation.website,
            "contact_email": organisation.contact_email,
            "vat_number": organisation.vat_number,
        },
        "training_activity": application.training_activity,
        "contributions": [
            {
                "category": c.category,
                "category_label": str(c.get_category_display()),
                "description": c.description,
                "period": c.period,
                "evidence_links": c.evidence_links,
            }
            for c in application.contributions.all()
        ],
        "course_types": [
            {
                "title": t.title,
                "description": t.description,
                "learning_outcomes": t.learning_outcomes,
                "hours": t.hours,
                "qgis_version": t.qgis_version,
                "languages": t.languages,
                "materials": [m.describe() for m in t.materials.all()],
            }
            for t in application.course_types.prefetch_related("materials")
        ],
    }


def submit_application(application: Application, *, by: User) -> None:
    with transaction.atomic():
        application = _lock(application)
        if not application.is_editable:
            raise ApplicationError(_("Only a draft or a returned application can be submitted."))
        missing = application.missing_for_submission()
        if missing:
            raise ApplicationError(
                _("The application is not complete yet: %(missing)s")
                % {"missing": " ".join(str(item) for item in missing)}
            )
        require(by, "application.edit", application)
        application.review_round += 1
        application.submitted_at = timezone.now()
        application.expiry_warning_sent_at = None
        application.save(update_fields=["review_round", "submitted_at", "expiry_warning_sent_at"])
        Snapshot.objects.create(
            application=application, round=application.review_round, data=_snapshot(application)
        )
        _set_status(application, Status.SUBMITTED)
        record_event(
            "application.submitted",
            actor=by,
            target=application,
            data={"round": application.review_round},
        )
        notifications.application_submitted(application)


def withdraw_application(application: Application, *, by: User, reason: str = "") -> None:
    with transaction.atomic():
        application = _lock(application)
        if not application.is_open:
            raise ApplicationError(_("This application is already closed."))
        require(by, "application.withdraw", application)
        was_in_review = application.status != Status.DRAFT
        _set_status(application, Status.WITHDRAWN)
        record_event("application.withdrawn", actor=by, target=application, data={"reason": reason})
        if was_in_review:  # the team never saw a draft
            notifications.application_withdrawn(application, reason=reason)


# --- Review side --------------------------------------------------------------------------
def start_initial_review(application: Application, *, by: User) -> None:
    with transaction.atomic():
        application = _lock(application)
        if application.status != Status.SUBMITTED:
            raise ApplicationError(_("Only a submitted application can enter initial review."))
        require(by, "application.review", application)
        _set_status(application, Status.INITIAL_REVIEW)
        record_event("application.initial_review_started", actor=by, target=application)


def save_checklist(application: Application, *, by: User, checklist: dict[str, bool]) -> None:
    with transaction.atomic():
        application = _lock(application)
        if application.status != Status.INITIAL_REVIEW:
            raise ApplicationError(_("The checklist belongs to the initial review."))
        require(by, "application.review", application)
        application.checklist = {
            item.value: bool(checklist.get(item.value)) for item in ChecklistItem
        }
        application.save(update_fields=["checklist"])
        record_event(
            "application.checklist_saved", actor=by, target=application, data=application.checklist
        )


def request_changes(application: Application, *, by: User, message: str) -> None:
    if not message.strip():
        raise ApplicationError(_("Say what should change."))
    with transaction.atomic():
        application = _lock(application)
        if application.status not in Status.review_steps():
            raise ApplicationError(_("Changes can only be requested during a review step."))
        require(by, "application.review", application)
        previous = application.status
        _set_status(application, Status.CHANGES_REQUESTED)
        Message.objects.create(
            application=application,
            author=by,
            author_label=by.get_full_name(),
            kind=Message.Kind.CHANGE_REQUEST,
            body=message,
        )
        record_event(
            "application.changes_requested",
            actor=by,
            target=application,
            data={"from": previous},
        )
        notifications.changes_requested(application, message=message)


def send_to_community_review(application: Application, *, by: User) -> list[OpinionRequest]:
    """Ask every user group of the organisation's country; with none, go straight to the PSC."""
    with transaction.atomic():
        application = _lock(application)
        if application.status != Status.INITIAL_REVIEW:
            raise ApplicationError(_("Only an application in initial review can go further."))
        require(by, "application.review", application)
        country = application.organisation.country.code
        groups = [
            group
            for group in UserGroup.objects.filter(is_active=True).prefetch_related("reviewers")
            if country in [c.code for c in group.countries]
        ]
        if not groups:
            _move_to_psc_review(application, by=by, reason="no_user_group")
            notifications.no_user_group(application)
            return []
        now = timezone.now()
        due = now + timedelta(days=settings.OPINION_PERIOD_DAYS)
        requests = [
            OpinionRequest.objects.create(
                application=application,
                user_group=group,
                round=application.review_round,
                requested_at=now,
                due_at=due,
            )
            for group in groups
        ]
        application.community_due_at = due
        application.save(update_fields=["community_due_at"])
        _set_status(application, Status.COMMUNITY_REVIEW, now=now)
        record_event(
            "application.community_review_started",
            actor=by,
            target=application,
            data={"user_groups": [group.name for group in groups], "due": due.isoformat()},
        )
        for opinion_request in requests:
            notifications.opinion_requested(opinion_request)
    return requests


def _move_to_psc_review(application: Application, *, by: User | None, reason: str) -> None:
    _set_status(application, Status.PSC_REVIEW)
    record_event(
        "application.psc_review_started", actor=by, target=application, data={"reason": reason}
    )
    notifications.psc_review_started(application, reason=reason)


def record_opinion(
    opinion_request: OpinionRequest,
    *,
    verdict: str,
    reasons: str,
    by: User | None = None,
    invitation: ReviewerInvitation | None = None,
) -> None:
    """A user group's opinion, by one of its reviewers or by an invited outside reviewer.

    The outside reviewer has no account: the signed link of `invitation` is their authority.
    """
    if verdict not in OpinionRequest.Verdict.values:
        raise ApplicationError(_("Choose recommend, do not recommend or abstain."))
    if not reasons.strip():
        raise ApplicationError(_("Give the reasons for the opinion."))
    if by is not None:
        given_by_label = by.get_full_name()
    elif invitation is not None:
        given_by_label = f"{invitation.name} <{invitation.email}>"
    else:
        raise ValueError("An opinion is given by a reviewer or through an invitation.")
    with transaction.atomic():
        application = _lock(opinion_request.application)
        opinion_request = _lock_opinion_request(opinion_request, application)
        if not opinion_request.is_current:
            raise ApplicationError(_("This application is no longer waiting for opinions."))
        if opinion_request.is_given:
            raise ApplicationError(_("This user group has already given its opinion."))
        if by is not None:
            require(by, "application.give_opinion", opinion_request)
        now = timezone.now()
        opinion_request.verdict = verdict
        opinion_request.reasons = reasons
        opinion_request.given_at = now
        opinion_request.given_by = by
        opinion_request.given_by_label = given_by_label
        opinion_request.save(
            update_fields=["verdict", "reasons", "given_at", "given_by", "given_by_label"]
        )
        if invitation is not None:
            invitation.used_at = now
            invitation.save(update_fields=["used_at"])
        record_event(
            "application.opinion_given",
            actor=by,
            target=application,
            data={
                "user_group": opinion_request.user_group.name,
                "verdict": verdict,
                "outside_reviewer": invitation.email if invitation else "",
            },
        )
        notifications.opinion_given(opinion_request)
        if not application.opinion_requests.awaited().exists():
            _move_to_psc_review(application, by=None, reason="all_opinions_given")


def _lock_opinion_request(
    opinion_request: OpinionRequest, application: Application
) -> OpinionRequest:
    """Re-read the opinion request under a row lock, after its application's (one lock order)."""
    locked = (
        OpinionRequest.objects.select_for_update()
        .select_related("user_group")
        .get(pk=opinion_request.pk)
    )
    locked.application = application
    return locked


def send_opinion_reminder(opinion_request: OpinionRequest, *, now: datetime) -> bool:
    """Remind the user group of an awaited opinion when one of its reminders is due."""
    with transaction.atomic():
        application = _lock(opinion_request.application)
        opinion_request = _lock_opinion_request(opinion_request, application)
        days = opinion_request.reminder_due(now)
        if days is None:
            return False
        # The most urgent reminder due goes out; it covers the earlier ones too.
        covered = [d for d in settings.OPINION_REMINDER_DAYS if d >= days]
        opinion_request.reminders_sent = sorted(set(opinion_request.reminders_sent) | set(covered))
        opinion_request.save(update_fields=["reminders_sent"])
        record_event(
            "application.opinion_reminder_sent",
            actor=None,
            target=application,
            data={"user_group": opinion_request.user_group.name, "days_left": days},
        )
        notifications.opinion_reminder(opinion_request, days_left=days)
    return True


def escalate_overdue_community_review(application: Application, *, now: datetime) -> bool:
    """The month has passed: the PSC decides with the opinions that came in."""
    with transaction.atomic():
        application = _lock(application)
        if not application.opinions_overdue(now):
            return False
        _move_to_psc_review(application, by=None, reason="opinions_overdue")
    return True


def invite_outside_reviewer(
    opinion_request: OpinionRequest, *, by: User, email: str, name: str, language: str = "en"
) -> ReviewerInvitation:
    with transaction.atomic():
        application = _lock(opinion_request.application)
        opinion_request = _lock_opinion_request(opinion_request, application)
        if not opinion_request.is_awaited:
            raise ApplicationError(_("This user group's opinion is no longer awaited."))
        require(by, "application.review", application)
        invitation = ReviewerInvitation.objects.create(
            opinion_request=opinion_request,
            email=email.lower(),
            name=name,
            language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
            invited_by=by,
            expires_at=timezone.now() + timedelta(days=settings.REVIEWER_INVITATION_DAYS),
        )
        record_event(
            "application.outside_reviewer_invited",
            actor=by,
            target=application,
            data={"email": invitation.email, "user_group": opinion_request.user_group.name},
        )
        notifications.outside_reviewer_invited(invitation, token=invitation_token(invitation))
    return invitation


def invitation_token(invitation: ReviewerInvitation) -> str:
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT, compress=True)


def invitation_from_token(token: str) -> ReviewerInvitation | None:
    """The invitation behind a signed link, or None when the link is forged, expired or used."""
    try:
        data = signing.loads(
            token, salt=INVITATION_SALT, max_age=timedelta(days=settings.REVIEWER_INVITATION_DAYS)
        )
    except signing.BadSignature:
        return None
    invitation = (
        ReviewerInvitation.objects.select_related(
            "opinion_request__application__organisation", "opinion_request__user_group"
        )
        .filter(pk=data.get("invitation"))
        .first()
    )
    if invitation is None or invitation.used_at or invitation.expires_at < timezone.now():
        return None
    if not invitation.opinion_request.is_awaited:
        return None  # the group answered, or the application moved on
    return invitation


def record_decision(
    application: Application,
    *,
    by: User,
    outcome: str,
    rationale: str,
    votes_for: int | None = None,
    votes_against: int | None = None,
    abstentions: int | None = None,
) -> Decision:
    if outcome not in Decision.Outcome.values:
        raise ApplicationError(_("Choose approve or reject."))
    if not rationale.strip():
        raise ApplicationError(_("Give the rationale of the decision."))
    with transaction.atomic():
        application = _lock(application)
        if application.status != Status.PSC_REVIEW:
            raise ApplicationError(_("Only an application in PSC review can be decided."))
        require(by, "application.decide", application)
        decision = Decision.objects.create(
            application=application,
            outcome=outcome,
            rationale=rationale,
            decided_by=by,
            votes_for=votes_for,
            votes_against=votes_against,
            abstentions=abstentions,
        )
        approved = outcome == Decision.Outcome.APPROVE
        _set_status(application, Status.APPROVED if approved else Status.REJECTED)
        if approved:
            _certify(application, decided_at=decision.decided_at)
        record_event(
            "application.approved" if approved else "application.rejected",
            actor=by,
            target=application,
            data={"votes": [votes_for, votes_against, abstentions]},
        )
        notifications.decision_recorded(application, decision)
    return decision


def _certify(application: Application, *, decided_at: datetime) -> None:
    organisation = application.organisation
    organisation.status = Organisation.Status.CERTIFIED
    organisation.certified_at = organisation.certified_at or decided_at
    organisation.status_reason = ""
    organisation.save(update_fields=["status", "certified_at", "status_reason", "updated_at"])
    application.course_types.exclude(status=CourseType.Status.APPROVED).update(
        status=CourseType.Status.APPROVED, approved_at=decided_at
    )
    application.contributions.update(published=True)
    map_changed()  # its training centres and course types are public from now on
    record_event(
        "organisation.certified",
        actor=None,
        target=organisation,
        data={"application": application.code},
    )


def post_message(
    application: Application, *, by: User, body: str, internal: bool = False
) -> Message:
    if not body.strip():
        raise ApplicationError(_("Write a message first."))
    require(
        by, "application.internal_notes" if internal else "application.post_message", application
    )
    with transaction.atomic():
        message = Message.objects.create(
            application=application,
            author=by,
            author_label=by.get_full_name(),
            body=body,
            kind=Message.Kind.INTERNAL_NOTE if internal else Message.Kind.COMMENT,
        )
        record_event(
            "application.note_added" if internal else "application.message_posted",
            actor=by,
            target=application,
        )
        if not internal:
            notifications.message_posted(message)
    return message


# --- Expiry -------------------------------------------------------------------------------


def expiry_period(application: Application) -> timedelta | None:
    if application.status == Status.DRAFT:
        return timedelta(days=settings.APPLICATION_DRAFT_EXPIRY_DAYS)
    if application.status == Status.CHANGES_REQUESTED:
        return timedelta(days=settings.CHANGES_REQUEST_EXPIRY_DAYS)
    return None


def warn_before_expiry(application: Application, *, now: datetime) -> bool:
    with transaction.atomic():
        application = _lock(application)
        period = expiry_period(application)
        if period is None or application.expiry_warning_sent_at is not None:
            return False
        expires_at = application.last_activity_at + period
        if expires_at - now > timedelta(days=settings.APPLICATION_EXPIRY_WARNING_DAYS):
            return False
        application.expiry_warning_sent_at = now
        application.save(update_fields=["expiry_warning_sent_at"])
        record_event("application.expiry_warned", actor=None, target=application)
        notifications.expiry_warning(application, expires_at=expires_at)
    return True


def expire_application(application: Application, *, now: datetime) -> bool:
    with transaction.atomic():
        application = _lock(application)
        period = expiry_period(application)
        if period is None or application.last_activity_at + period > now:
            return False
        warned_at = application.expiry_warning_sent_at
        warning_period = timedelta(days=settings.APPLICATION_EXPIRY_WARNING_DAYS)
        if warned_at is None or warned_at + warning_period > now:
            return False  # the warning always goes out first, a full warning period ahead
        _set_status(application, Status.EXPIRED, now=now)
        record_event("application.expired", actor=None, target=application)
        notifications.application_expired(application)
    return True


# --- User groups --------------------------------------------------------------------------


def save_user_group(group: UserGroup, *, by: User, reviewers: list[User]) -> UserGroup:
    """Save a user group and its reviewers; each new reviewer gets the reviewer role."""
    require(by, "user_group.manage")
    with transaction.atomic():
        created = group.pk is None
        group.save()
        group.reviewers.set(reviewers)
        for person in reviewers:
            if not has_role(person, GlobalRole.USER_GROUP_REVIEWER):
                grant_role(person, GlobalRole.USER_GROUP_REVIEWER, by=by)
        record_event(
            "user_group.created" if created else "user_group.updated",
            actor=by,
            target=group,
            data={
                "countries": [country.code for country in group.countries],
                "reviewers": [person.email for person in reviewers],
                "active": group.is_active,
            },
        )
    return group
