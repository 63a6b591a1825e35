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
def can_review(user: Any, course_type: CourseType | None = None) -> bool:
    """The certification team reviews proposals; without an object: may open the queue."""
    if not acts_as(user, GlobalRole.CERTIFICATION_TEAM):
        return False
    return course_type is None or membership_role(user, course_type.organisation) is None


@rule("course_type.view_material")
def can_view_material(user: Any, course_type: CourseType) -> bool:
    """Training material is private: the organisation's managers and the certification team."""
    return can_propose(user, course_type) or acts_as(user, GlobalRole.CERTIFICATION_TEAM)
