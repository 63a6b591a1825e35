"""The certificates panel of a course: what it shows, and which actions it offers to whom.

The course page includes `certificates/_course_panel.html` with the context made here
(`course_page_panel`, registered with the training app); the panel's own page and its htmx
progress endpoint (views.py) render the same template. Who may do what is decided by the
rules in `rules.py`; the panel only asks them.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from certification.accounts.models import User
from certification.accounts.permissions import can
from certification.certificates.models import Certificate
from certification.certificates.rules import issue_blocked_reason
from certification.training.models import Course


@dataclass(frozen=True)
class CertificateRow:
    """One certificate in the panel, with the actions the person looking may take on it."""

    certificate: Certificate
    pending: bool
    can_resend: bool
    can_reissue: bool
    can_revoke: bool


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


def _row(user: User | AnonymousUser, certificate: Certificate) -> CertificateRow:
    valid = certificate.is_valid
    return CertificateRow(
        certificate=certificate,
        pending=valid and is_pending(certificate),
        can_resend=valid
        and certificate.pdf_rendered_at is not None
        and can(user, "certificate.resend", certificate),
        can_reissue=valid and can(user, "certificate.reissue", certificate),
        can_revoke=valid and can(user, "certificate.revoke", certificate),
    )


def course_panel_context(request: HttpRequest, course: Course) -> dict[str, Any]:
    """What `certificates/_course_panel.html` shows, or {} for someone who may not see it.

    A bounded number of queries whatever the number of attendees and certificates.
    """
    organisation = course.organisation
    user = request.user
    if not can(user, "certificate.list", course):
        return {}
    certificates = sorted(
        course.certificates.select_related("replaced_by").defer("replaced_by__snapshot"),
        key=lambda certificate: (
            not certificate.is_valid,
            str(certificate.snapshot.get("name", "")).casefold(),
            certificate.issued_at,
        ),
    )
    rows = [_row(user, certificate) for certificate in certificates]
    valid = [row for row in rows if row.certificate.is_valid]
    pending = [row for row in valid if row.pending]
    attendee_count = course.attendees.count()
    can_issue = can(user, "certificate.issue", course)
    keys = {"slug": organisation.slug, "course_id": course.public_id}
    return {
        "course": course,
        "organisation": organisation,
        "rows": rows,
        "attendee_count": attendee_count,
        "valid_count": len(valid),
        "revoked_count": len(rows) - len(valid),
        "eligible_count": max(attendee_count - len(valid), 0),
        "pending_count": len(pending),
        "delivered_count": len(valid) - len(pending),
        "running": bool(pending),
        "can_issue": can_issue,
        "issue_blocked_reason": issue_blocked_reason(course) if can_issue else "",
        "return_to": page_path(request),
        "progress_url": reverse("certificates:course_progress", kwargs=keys),
        "page_url": reverse("certificates:course", kwargs=keys),
        "issue_url": reverse("certificates:issue", kwargs=keys),
    }


def course_page_panel(request: HttpRequest, course: Course) -> dict[str, Any]:
    """For `training.views.courses.register_course_panel`: the course page's extra context."""
    return {"certificates_panel": course_panel_context(request, course)}
