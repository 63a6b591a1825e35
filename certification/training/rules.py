"""Who may see and change course types and their material."""

from typing import Any

from certification.accounts.permissions import acts_as, rule
from certification.accounts.roles import GlobalRole
from certification.organisations.models import Membership, role_at_least
from certification.organisations.rules import membership_role
from certification.training.models import CourseType


@rule("course_type.propose")
def can_propose(user: Any, course_type: CourseType) -> bool:
    return role_at_least(membership_role(user, course_type.organisation), Membership.Role.MANAGER)


@rule("course_type.review")
def can_review(user: Any, course_type: CourseType) -> bool:
    return (
        acts_as(user, GlobalRole.CERTIFICATION_TEAM)
        and membership_role(user, course_type.organisation) is None
    )
