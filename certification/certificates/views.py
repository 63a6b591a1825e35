"""The pages of the organisation members who issue certificates and look after them.

Issuing is three steps: choose the attendees and kinds, see what it costs against the
balance (with a preview PDF), confirm. Afterwards each certificate can be downloaded,
emailed again, revoked or re-issued with a corrected name; the certification team finds any
certificate by its code to revoke it. Who may do what is in `rules.py`: every view asks it
here, on the server, and loads what it touches through the two access helpers below, so
another organisation's course or certificate is a 404. The services require the same rules.
The public verification pages are in `verification/`.
"""

from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certification.accounts.models import User
from certification.accounts.permissions import acts_as, can, require
from certification.accounts.roles import GlobalRole
from certification.billing import ledger as billing
from certification.billing import pricing
from certification.certificates import rendering, services
from certification.certificates.forms import (
    CertificateLookupForm,
    IssueSelectionForm,
    PreviewForm,
    ReissueForm,
    RevokeForm,
    count_by_kind,
)
from certification.certificates.models import Certificate
from certification.certificates.panel import course_panel_context
from certification.certificates.rules import issue_blocked_reason
from certification.certificates.services import CertificateError
from certification.core.files import private, private_file_response
from certification.organisations.access import get_organisation_for_member
from certification.training.models import Course


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind @login_required: its user is a person (django-stubs' recipe)."""

    user: User


# --- Access -------------------------------------------------------------------------------


def get_course_for(request: HttpRequest, slug: str, course_id: Any, *, issue: bool) -> Course:
    """The course, if the user may see it (or, with `issue`, issue its certificates).

    Someone with no tie to the organisation, or a course of another organisation, gets a
    404; someone who may look at the organisation but not do this gets a 403.
    """
    organisation = get_organisation_for_member(request, slug, staff_may_view=True)
    course = get_object_or_404(
        Course.objects.select_related("course_type", "training_centre"),
        organisation=organisation,
        public_id=course_id,
    )
    course.organisation = organisation
    require(request.user, "certificate.issue" if issue else "certificate.list", course)
    return course


def get_certificate_for(request: HttpRequest, slug: str, code: str) -> Certificate:
    """A certificate of the organisation, if the user may see its course; else 404/403.

    What more the user may do to it is for the caller to check.
    """
    organisation = get_organisation_for_member(request, slug, staff_may_view=True)
    certificate = get_object_or_404(
        Certificate.objects.select_related("course__course_type", "replaced_by"),
        course__organisation=organisation,
        code=code,
    )
    certificate.course.organisation = organisation
    require(request.user, "certificate.view", certificate)
    return certificate


def programme_address() -> str:
    """The programme's address: for credits (the treasurer) and late revocations (the team).

    One address for now; a separate TREASURER_EMAIL setting would go here.
    """
    return parseaddr(str(settings.PROGRAMME_EMAIL))[1]


def _to_course(certificate_or_course: Certificate | Course) -> HttpResponse:
    course = (
        certificate_or_course.course
        if isinstance(certificate_or_course, Certificate)
        else certificate_or_course
    )
    return redirect(
        "certificates:course", slug=course.organisation.slug, course_id=course.public_id
    )


def _back(request: HttpRequest, certificate: Certificate) -> HttpResponse:
    """Back to the page the action came from (the course page or the panel's own page)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return _to_course(certificate)


# --- The panel ----------------------------------------------------------------------------


@login_required
@require_GET
def course_certificates(request: HttpRequest, slug: str, course_id: Any) -> HttpResponse:
    """The certificates of one course on a page of their own (also the no-JavaScript refresh)."""
    course = get_course_for(request, slug, course_id, issue=False)
    return render(
        request,
        "certificates/certificate_list.html",
        {
            "course": course,
            "organisation": course.organisation,
            "certificates_panel": course_panel_context(request, course),
        },
    )


@never_cache
@login_required
@require_GET
def course_certificates_progress(request: HttpRequest, slug: str, course_id: Any) -> HttpResponse:
    """The panel alone, which htmx polls while a batch is being delivered."""
    course = get_course_for(request, slug, course_id, issue=False)
    return render(
        request,
        "certificates/_course_panel.html",
        {"certificates_panel": course_panel_context(request, course)},
    )


# --- Issuing ------------------------------------------------------------------------------


def _selection_form(
    request: HttpRequest, course: Course, data: Any = None, initial: dict[str, Any] | None = None
) -> IssueSelectionForm:
    attendees = list(course.attendees.order_by("name", "pk"))
    certified = dict(
        course.certificates.filter(status=Certificate.Status.VALID).values_list(
            "attendee_id", "code"
        )
    )
    return IssueSelectionForm(
        data,
        initial=initial,
        attendees=attendees,
        certified=certified,
        choose_all=request.GET.get("all") == "1",
    )


def _render_selection(
    request: HttpRequest, course: Course, form: IssueSelectionForm
) -> HttpResponse:
    return render(
        request,
        "certificates/issue_select.html",
        {"course": course, "organisation": course.organisation, "form": form},
    )


def _render_confirmation(
    request: HttpRequest, course: Course, form: IssueSelectionForm
) -> HttpResponse:
    organisation = course.organisation
    needed = len(form.selections)
    balance = billing.balance(organisation)
    spendable = billing.spendable(organisation)
    first, first_kind = form.selections[0]
    return render(
        request,
        "certificates/issue_confirm.html",
        {
            "course": course,
            "organisation": organisation,
            "form": form,
            "chosen": [
                (attendee, Certificate.Kind(kind).label) for attendee, kind in form.selections
            ],
            "by_kind": count_by_kind(form.selections),
            "hidden_values": form.hidden_values(),
            "needed": needed,
            "balance": balance,
            "spendable": spendable,
            "allowance": spendable - balance,
            "remaining": balance - needed,
            "overdraft": max(needed - balance, 0) if balance >= 0 else needed,
            "enough": needed <= spendable,
            "missing": max(needed - spendable, 0),
            "price": pricing.price_per_credit(),
            "preview_attendee": first,
            "preview_kind": first_kind,
            "treasurer_email": programme_address(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def certificate_issue(request: HttpRequest, slug: str, course_id: Any) -> HttpResponse:
    """Step 1: choose attendees and kinds. A POST comes back from step 2 to change them."""
    course = get_course_for(request, slug, course_id, issue=True)
    if blocked := issue_blocked_reason(course):
        messages.error(request, blocked)
        return _to_course(course)
    initial = None
    if request.method == "POST":
        initial = {
            key: True if key.startswith("issue-") else value
            for key, value in request.POST.items()
            if key.startswith(("issue-", "kind-"))
        }
    return _render_selection(request, course, _selection_form(request, course, initial=initial))


@login_required
@require_POST
def certificate_issue_review(request: HttpRequest, slug: str, course_id: Any) -> HttpResponse:
    """Step 2: what it costs, the balance before and after, a preview. Changes nothing."""
    course = get_course_for(request, slug, course_id, issue=True)
    if blocked := issue_blocked_reason(course):
        messages.error(request, blocked)
        return _to_course(course)
    form = _selection_form(request, course, request.POST)
    if not form.is_valid():
        return _render_selection(request, course, form)
    return _render_confirmation(request, course, form)


@login_required
@require_POST
def certificate_issue_confirm(
    request: AuthenticatedHttpRequest, slug: str, course_id: Any
) -> HttpResponse:
    """Step 3: issue them all, or none."""
    course = get_course_for(request, slug, course_id, issue=True)
    form = _selection_form(request, course, request.POST)
    if not form.is_valid():
        return _render_selection(request, course, form)
    try:
        issued = services.issue_certificates(course, form.selections, by=request.user)
    except CertificateError as error:
        messages.error(request, str(error))
        return _render_confirmation(request, course, form)
    messages.success(
        request,
        ngettext(
            "%(count)d certificate is issued. Its PDF is being made and emailed to the attendee.",
            "%(count)d certificates are issued. Their PDFs are being made and emailed to the "
            "attendees.",
            len(issued),
        )
        % {"count": len(issued)},
    )
    return _to_course(course)


@login_required
@require_GET
def certificate_preview(request: HttpRequest, slug: str, course_id: Any) -> HttpResponse:
    """A sample certificate of this course with one attendee's name, to check before issuing."""
    course = get_course_for(request, slug, course_id, issue=True)
    form = PreviewForm(request.GET)
    if not form.is_valid():
        raise Http404
    attendee = get_object_or_404(course.attendees, public_id=form.cleaned_data["attendee"])
    pdf = rendering.render_preview(course, attendee.name, form.cleaned_data["kind"])
    response = HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="certificate-preview.pdf"'},
    )
    private(response)
    return response


# --- One certificate ----------------------------------------------------------------------


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, slug: str, code: str) -> HttpResponseBase:
    """The certificate's PDF, as a download; not found until it has been made."""
    certificate = get_certificate_for(request, slug, code)
    if not certificate.pdf or certificate.pdf_rendered_at is None:
        raise Http404
    try:
        handle = certificate.pdf.open("rb")
    except OSError as error:
        raise Http404 from error
    return private_file_response(
        handle, filename=f"{certificate.code}.pdf", content_type="application/pdf"
    )


@login_required
@require_POST
def certificate_resend(request: AuthenticatedHttpRequest, slug: str, code: str) -> HttpResponse:
    certificate = get_certificate_for(request, slug, code)
    try:
        sent = services.resend_certificate(certificate, by=request.user)
    except CertificateError as error:
        messages.error(request, str(error))
    else:
        if sent:
            messages.success(
                request,
                _("Certificate %(code)s is being emailed to the attendee again.")
                % {"code": certificate.code},
            )
        else:
            messages.info(
                request,
                _("The certificate is still being made; it is emailed as soon as it is ready."),
            )
    return _back(request, certificate)


@login_required
@require_http_methods(["GET", "POST"])
def certificate_revoke(request: AuthenticatedHttpRequest, slug: str, code: str) -> HttpResponse:
    """The organisation within its window, the certification team at any time."""
    certificate = get_certificate_for(request, slug, code)
    user = request.user
    allowed = can(user, "certificate.revoke", certificate)
    # After the window its organisation still sees the page: it says whom to ask instead.
    if not allowed and not can(user, "certificate.issue", certificate.course):
        raise PermissionDenied
    if not certificate.is_valid:
        messages.info(request, _("This certificate is already revoked."))
        return _to_course(certificate)
    form = RevokeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.revoke_certificate(certificate, by=user, reason=form.cleaned_data["reason"])
        except CertificateError as error:
            messages.error(request, str(error))
            return _to_course(certificate)
        messages.success(
            request,
            _("Certificate %(code)s is revoked. Its verification page says so from now on.")
            % {"code": certificate.code},
        )
        return _to_course(certificate)
    return render(
        request,
        "certificates/certificate_revoke.html",
        {
            "certificate": certificate,
            "course": certificate.course,
            "organisation": certificate.course.organisation,
            "form": form,
            "allowed": allowed,
            "as_team": acts_as(user, GlobalRole.CERTIFICATION_TEAM),
            "deadline": certificate.revocation_deadline,
            "days": settings.CERTIFICATE_REVOCATION_DAYS,
            "programme_email": programme_address(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def certificate_reissue(request: AuthenticatedHttpRequest, slug: str, code: str) -> HttpResponse:
    """A replacement with a corrected name: free at first, later it costs a credit."""
    certificate = get_certificate_for(request, slug, code)
    require(request.user, "certificate.reissue", certificate)
    if not certificate.is_valid:
        messages.error(request, _("Only a valid certificate can be re-issued."))
        return _to_course(certificate)
    organisation = certificate.course.organisation
    form = ReissueForm(
        request.POST if request.method == "POST" else None,
        current_name=certificate.snapshot.get("name", ""),
    )
    if form.is_bound and form.is_valid():
        try:
            new = services.reissue_certificate(
                certificate, by=request.user, name=form.cleaned_data["name"]
            )
        except CertificateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "Certificate %(new)s, for %(name)s, replaces %(old)s, which is revoked. "
                    "It is being emailed to the attendee."
                )
                % {"new": new.code, "name": form.cleaned_data["name"], "old": certificate.code},
            )
            return _to_course(certificate)
    free = certificate.reissue_is_free()
    spendable = None if free else billing.spendable(organisation)
    return render(
        request,
        "certificates/certificate_reissue.html",
        {
            "certificate": certificate,
            "course": certificate.course,
            "organisation": organisation,
            "form": form,
            "free": free,
            "free_until": certificate.free_reissue_until,
            "balance": None if free else billing.balance(organisation),
            "spendable": spendable,
            "enough": free or (spendable is not None and spendable >= 1),
            "price": pricing.price_per_credit(),
            "treasurer_email": programme_address(),
        },
    )


@login_required
@require_GET
def certificate_revoke_lookup(request: HttpRequest) -> HttpResponse:
    """The certification team finds any certificate by its code, to revoke it."""
    require(request.user, "certificate.find")
    form = CertificateLookupForm(request.GET if "code" in request.GET else None)
    if form.is_bound and form.is_valid():
        certificate = (
            Certificate.objects.select_related("course__organisation")
            .filter(code=form.cleaned_data["code"])
            .first()
        )
        if certificate is not None:
            return redirect(
                "certificates:revoke",
                slug=certificate.course.organisation.slug,
                code=certificate.code,
            )
        form.add_error("code", _("No certificate has this code."))
    return render(request, "certificates/certificate_lookup.html", {"form": form})
