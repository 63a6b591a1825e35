"""The certificates panel of a course: who may do what, and what the panel shows.

The course page includes `certificates/course_panel.html` with the context made here
(`course_page_panel`, registered with the training app); the panel's own page and its htmx
progress endpoint (views_issue) render the same template.

Who may do what (every view checks again on the server):
- see the panel and download the PDFs: whoever sees the course (its organisation's owners
  and managers, and the trainers who teach it), and the certification team;
- resend an email: whoever sees the course, except the certification team: attendees ask
  their trainer when an email did not arrive;
- issue, revoke within the organisation's window and re-issue: owners and managers.
  Issuing spends the organisation's credits, that is its money, so trainers do not issue;
  an owner who wants a trainer to issue makes them a manager;
- revoke at any time: the certification team.
"""

from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from certification.accounts.permissions import acts_as, can
from certification.accounts.roles import GlobalRole
from certification.certificates.models import Certificate
from certification.certificates.services import may_revoke
from certification.organisations.models import Organisation
from certification.training.models import Course, CourseType


def may_view(user: Any, course: Course) -> bool:
    return can(user, "course.view", course) or acts_as(user, GlobalRole.CERTIFICATION_TEAM)


def may_issue(user: Any, organisation: Organisation) -> bool:
    return can(user, "organisation.manage", organisation)


def may_resend(user: Any, course: Course) -> bool:
    return can(user, "course.view", course)


def may_revoke_here(user: Any, certificate: Certificate) -> bool:
    """Whether the user may revoke this certificate now: its organisation, or the team."""
    if acts_as(user, GlobalRole.CERTIFICATION_TEAM):
        return True
    return may_issue(user, certificate.course.organisation) and may_revoke(user, certificate)


def issue_blocked_reason(course: Course) -> str:
    """Why this course cannot have certificates issued, or "" when it can."""
    if course.organisation.status != Organisation.Status.CERTIFIED:
        return _("Only a certified organisation issues certificates.")
    if course.course_type.status != CourseType.Status.APPROVED:
        return _("Certificates are issued only for courses of an approved type.")
    return ""


def programme_address() -> str:
    """The programme's address: for credits (the treasurer) and late revocations (the team).

    One address for now; a separate TREASURER_EMAIL setting would go here.
    """
    return parseaddr(str(settings.PROGRAMME_EMAIL))[1]


def page_path(request: HttpRequest) -> str:
    """The page the panel is shown on, to come back to after an action.

    An htmx request for the panel comes from the course page: htmx names it in a header.
    """
    current = request.headers.get("HX-Current-URL", "")
    if current and url_has_allowed_host_and_scheme(
        current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    if request.headers.get("HX-Request"):
        return ""
    return request.get_full_path()


def is_pending(certificate: Certificate) -> bool:
    """Still being delivered: no PDF yet, or no email sent and no delivery problem yet."""
    return certificate.pdf_rendered_at is None or (
        certificate.email_sent_at is None and not certificate.email_error
    )


def course_panel_context(request: HttpRequest, course: Course) -> dict[str, Any]:
    """What `certificates/course_panel.html` shows, or {} for someone who may not see it.

    A bounded number of queries whatever the number of attendees and certificates.
    """
    organisation = course.organisation
    user = request.user
    if not may_view(user, course):
        return {}
    certificates = sorted(
        course.certificates.select_related("replaced_by").defer("replaced_by__snapshot"),
        key=lambda certificate: (
            not certificate.is_valid,
            str(certificate.snapshot.get("name", "")).casefold(),
            certificate.issued_at,
        ),
    )
    can_issue = may_issue(user, organisation)
    can_resend = may_resend(user, course)
    team = acts_as(user, GlobalRole.CERTIFICATION_TEAM)
    now = timezone.now()
    for certificate in certificates:
        certificate.pending = certificate.is_valid and is_pending(certificate)
        certificate.can_revoke = certificate.is_valid and (
            team or (can_issue and may_revoke(user, certificate, now=now))
        )
    valid = [certificate for certificate in certificates if certificate.is_valid]
    pending = [certificate for certificate in valid if certificate.pending]
    attendee_count = course.attendees.count()
    keys = {"slug": organisation.slug, "course_id": course.public_id}
    return {
        "course": course,
        "organisation": organisation,
        "certificates": certificates,
        "attendee_count": attendee_count,
        "valid_count": len(valid),
        "revoked_count": len(certificates) - len(valid),
        "eligible_count": max(attendee_count - len(valid), 0),
        "pending_count": len(pending),
        "delivered_count": len(valid) - len(pending),
        "running": bool(pending),
        "can_issue": can_issue,
        "can_resend": can_resend,
        "issue_blocked_reason": issue_blocked_reason(course) if can_issue else "",
        "return_to": page_path(request),
        "progress_url": reverse("course_certificates_progress", kwargs=keys),
        "page_url": reverse("course_certificates", kwargs=keys),
        "issue_url": reverse("certificate_issue", kwargs=keys),
    }


def course_page_panel(request: HttpRequest, course: Course) -> dict[str, Any]:
    """For `training.views.courses.register_course_panel`: the course page's extra context."""
    return {"certificates_panel": course_panel_context(request, course)}
