"""Who may see and do what with applications. Asked through `accounts.permissions.can`."""

from certification.accounts.models import User
from certification.accounts.permissions import acts_as, rule
from certification.accounts.roles import GlobalRole
from certification.applications.models import Application, OpinionRequest, Status
from certification.organisations.models import Membership, role_at_least
from certification.organisations.rules import membership_role


def _applicant_role(user: User, application: Application) -> str | None:
    return membership_role(user, application.organisation)


def _is_applicant(user: User, application: Application) -> bool:
    return role_at_least(_applicant_role(user, application), Membership.Role.MANAGER)


def _impartial(user: User, application: Application) -> bool:
    """A member of the applying organisation never reviews it."""
    return _applicant_role(user, application) is None


def _asked_for_opinion(user: User, application: Application) -> bool:
    if not acts_as(user, GlobalRole.USER_GROUP_REVIEWER):
        return False
    return OpinionRequest.objects.filter(
        application=application, user_group__reviewers=user
    ).exists()


@rule("application.view")
def can_view(user: User, application: Application) -> bool:
    return _is_applicant(user, application) or can_view_as_reviewer(user, application)


@rule("application.view_as_reviewer")
def can_view_as_reviewer(user: User, application: Application) -> bool:
    if not _impartial(user, application) or application.status == Status.DRAFT:
        return False
    return (
        acts_as(user, GlobalRole.CERTIFICATION_TEAM)
        or acts_as(user, GlobalRole.PSC_MEMBER)
        or _asked_for_opinion(user, application)
    )


@rule("application.edit")
def can_edit(user: User, application: Application) -> bool:
    return application.is_editable and _is_applicant(user, application)


@rule("application.withdraw")
def can_withdraw(user: User, application: Application) -> bool:
    return application.is_open and _is_applicant(user, application)


@rule("application.review")
def can_review(user: User, application: Application) -> bool:
    """The certification team's steps: initial review, change requests, community review."""
    return acts_as(user, GlobalRole.CERTIFICATION_TEAM) and _impartial(user, application)


@rule("application.decide")
def can_decide(user: User, application: Application) -> bool:
    return (
        application.status == Status.PSC_REVIEW
        and acts_as(user, GlobalRole.PSC_MEMBER)
        and _impartial(user, application)
    )


@rule("application.give_opinion")
def can_give_opinion(user: User, opinion_request: OpinionRequest) -> bool:
    application = opinion_request.application
    return (
        opinion_request.is_awaited
        and acts_as(user, GlobalRole.USER_GROUP_REVIEWER)
        and _impartial(user, application)
        and opinion_request.user_group.reviewers.filter(pk=user.pk).exists()
    )


@rule("application.post_message")
def can_post_message(user: User, application: Application) -> bool:
    """The discussion runs while the application is under way, not before nor after."""
    return (
        application.is_open and application.status != Status.DRAFT and can_view(user, application)
    )


@rule("application.internal_notes")
def can_use_internal_notes(user: User, application: Application) -> bool:
    """Internal notes are the certification team's and the PSC's working notes."""
    return (
        _impartial(user, application)
        and application.status != Status.DRAFT
        and (acts_as(user, GlobalRole.CERTIFICATION_TEAM) or acts_as(user, GlobalRole.PSC_MEMBER))
    )


@rule("user_group.manage")
def can_manage_user_groups(user: User, obj: object = None) -> bool:
    return acts_as(user, GlobalRole.CERTIFICATION_TEAM)


@rule("review.workspace")
def can_open_workspace(user: User, obj: object = None) -> bool:
    return (
        acts_as(user, GlobalRole.CERTIFICATION_TEAM)
        or acts_as(user, GlobalRole.PSC_MEMBER)
        or acts_as(user, GlobalRole.USER_GROUP_REVIEWER)
    )
