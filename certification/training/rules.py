"""Who may see and change course types and their material."""

from typing import Any

from certification.accounts.permissions import acts_as, rule
from certification.accounts.roles import GlobalRole
from certification.organisations.models import Membership, role_at_least
from certification.organisations.rules import membership_role
from certification.training.models import Course, CourseType


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


def teaches(user: Any, course: Course) -> bool:
    """The user's account is linked to one of the course's trainers (read once per request)."""
    cache: dict[int, bool] = course.__dict__.setdefault("_taught_by", {})
    if user.pk not in cache:
        cache[user.pk] = course.trainers.filter(user_id=user.pk).exists()
    return cache[user.pk]


@rule("course.view")
def can_view_course(user: Any, course: Course) -> bool:
    """Managers see every course of their organisation; trainers the courses they teach."""
    role = membership_role(user, course.organisation)
    if role_at_least(role, Membership.Role.MANAGER):
        return True
    return role is not None and teaches(user, course)


@rule("course.manage_attendees")
def can_manage_attendees(user: Any, course: Course) -> bool:
    """Managers, and the course's own trainers while they are members of the organisation."""
    role = membership_role(user, course.organisation)
    if role_at_least(role, Membership.Role.MANAGER):
        return True
    return role is not None and teaches(user, course)
