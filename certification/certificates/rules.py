"""Who may do what with certificates, and when. Asked through `accounts.permissions.can`;
the services require their rule themselves, so that no caller can go around it.

- see a course's certificates and download their PDFs: whoever sees the course (its
  organisation's owners and managers, and the trainers who teach it), and the certification
  team;
- email one again: whoever sees the course, except the certification team: attendees ask
  their trainer when an email did not arrive;
- issue and re-issue: owners and managers. Issuing spends the organisation's credits, that is
  its money, so trainers do not issue; an owner who wants a trainer to issue makes them a
  manager;
- revoke: owners and managers within CERTIFICATE_REVOCATION_DAYS of the issue, the
  certification team at any time;
- find any certificate by its code: the certification team.

Certificates are issued only for a course of an approved type taught by a certified
organisation (`issue_blocked_reason`), whoever asks.
"""

from django.utils.translation import gettext as _

from certification.accounts.models import User
from certification.accounts.permissions import acts_as, can, rule
from certification.accounts.roles import GlobalRole
from certification.certificates.models import Certificate
from certification.organisations.models import Organisation
from certification.training.models import Course, CourseType


def _is_team(user: User) -> bool:
    return acts_as(user, GlobalRole.CERTIFICATION_TEAM)


@rule("certificate.list")
def can_list(user: User, course: Course) -> bool:
    """See the certificates of a course."""
    return can(user, "course.view", course) or _is_team(user)


@rule("certificate.view")
def can_view(user: User, certificate: Certificate) -> bool:
    """See one certificate and download its PDF."""
    return can_list(user, certificate.course)


@rule("certificate.issue")
def can_issue(user: User, course: Course) -> bool:
    return can(user, "organisation.manage", course.organisation)


@rule("certificate.reissue")
def can_reissue(user: User, certificate: Certificate) -> bool:
    return can_issue(user, certificate.course)


@rule("certificate.resend")
def can_resend(user: User, certificate: Certificate) -> bool:
    return can(user, "course.view", certificate.course)


@rule("certificate.revoke")
def can_revoke(user: User, certificate: Certificate) -> bool:
    """The certification team at any time; its organisation within the revocation window."""
    if _is_team(user):
        return True
    return can_issue(user, certificate.course) and certificate.within_revocation_window()


@rule("certificate.find")
def can_find(user: User, obj: None = None) -> bool:
    """Find any certificate by its code, to revoke it."""
    return _is_team(user)


def issue_blocked_reason(course: Course) -> str:
    """Why no certificate can be issued for this course now, or "" when they can."""
    if course.organisation.status != Organisation.Status.CERTIFIED:
        return _("Only a certified organisation issues certificates.")
    if course.course_type.status != CourseType.Status.APPROVED:
        return _("Certificates are issued only for courses of an approved type.")
    return ""
