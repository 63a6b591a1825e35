from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certification.accounts.http import AuthenticatedHttpRequest
from certification.accounts.permissions import can, require
from certification.core.dashboard import sections_for
from certification.organisations import services
from certification.organisations.access import get_organisation_for_member
from certification.organisations.forms import InvitationForm, OrganisationProfileForm
from certification.organisations.models import Membership, MembershipInvitation, Organisation


@login_required
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    memberships = Membership.objects.for_user(request.user).order_by("organisation__legal_name")
    return render(
        request,
        "organisations/dashboard.html",
        {"memberships": memberships, "sections": sections_for(request)},
    )


def _can_see_member_emails(request: HttpRequest, organisation: Organisation) -> bool:
    return can(request.user, "organisation.manage", organisation) or can(
        request.user, "organisation.change_status", organisation
    )


@login_required
@require_GET
def organisation_overview(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = get_organisation_for_member(request, slug, staff_may_view=True)
    memberships = organisation.memberships.select_related("user").order_by("role", "user__email")
    return render(
        request,
        "organisations/overview.html",
        {
            "organisation": organisation,
            "memberships": memberships,
            "can_see_member_emails": _can_see_member_emails(request, organisation),
        },
    )


# --- Public profile ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def organisation_profile(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = get_organisation_for_member(request, slug, role=Membership.Role.MANAGER)
    require(request.user, "organisation.manage", organisation)
    posted = request.method == "POST"
    form = OrganisationProfileForm(
        request.POST if posted else None, request.FILES if posted else None, instance=organisation
    )
    if posted and form.is_valid():
        # The form has set the cleaned values on the organisation; the service saves them.
        services.update_profile(organisation, by=request.user, changed=form.changed_data)
        messages.success(request, _("The profile of your organisation has been saved."))
        return redirect("organisations:organisation_overview", slug=organisation.slug)
    # A refused form has set some values on the instance already: show the saved ones.
    saved = Organisation.objects.get(pk=organisation.pk) if form.is_bound else organisation
    return render(request, "organisations/profile_form.html", {"organisation": saved, "form": form})


# --- Members and invitations -------------------------------------------------------------


def _render_members(
    request: HttpRequest, organisation: Organisation, form: InvitationForm | None
) -> HttpResponse:
    manages_members = can(request.user, "organisation.manage_members", organisation)
    invitations = (
        organisation.invitations.filter(
            accepted_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=timezone.now()
        ).select_related("invited_by")
        if manages_members
        else MembershipInvitation.objects.none()
    )
    return render(
        request,
        "organisations/members.html",
        {
            "organisation": organisation,
            "memberships": organisation.memberships.select_related("user").order_by(
                "role", "user__email"
            ),
            "invitations": invitations,
            "manages_members": manages_members,
            "can_see_member_emails": _can_see_member_emails(request, organisation),
            "form": form if form is not None else InvitationForm(),
        },
    )


@login_required
@require_GET
def organisation_members(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = get_organisation_for_member(request, slug, staff_may_view=True)
    return _render_members(request, organisation, None)


@login_required
@require_POST
def invite_member(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = get_organisation_for_member(request, slug, role=Membership.Role.OWNER)
    require(request.user, "organisation.manage_members", organisation)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invite_member(
                organisation,
                by=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except services.OrganisationError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                _("We have sent an invitation to %(email)s.") % {"email": invitation.email},
            )
            return redirect("organisations:organisation_members", slug=organisation.slug)
    return _render_members(request, organisation, form)


@login_required
@require_POST
def cancel_invitation(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = get_organisation_for_member(request, slug, role=Membership.Role.OWNER)
    require(request.user, "organisation.manage_members", organisation)
    invitation = get_object_or_404(
        organisation.invitations.filter(accepted_at__isnull=True, cancelled_at__isnull=True),
        pk=pk,
    )
    services.cancel_invitation(invitation, by=request.user)
    messages.success(
        request, _("The invitation to %(email)s is cancelled.") % {"email": invitation.email}
    )
    return redirect("organisations:organisation_members", slug=organisation.slug)


@login_required
@require_http_methods(["GET", "POST"])
def remove_member(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = get_organisation_for_member(request, slug, role=Membership.Role.OWNER)
    require(request.user, "organisation.manage_members", organisation)
    membership = get_object_or_404(organisation.memberships.select_related("user"), pk=pk)
    if request.method == "POST":
        try:
            services.remove_member(membership, by=request.user)
        except services.OrganisationError as error:
            messages.error(request, str(error))
            return redirect("organisations:organisation_members", slug=organisation.slug)
        messages.success(
            request,
            _("%(name)s is no longer a member of %(organisation)s.")
            % {"name": membership.user.get_full_name(), "organisation": organisation.legal_name},
        )
        if membership.user_id == request.user.pk:
            return redirect("organisations:dashboard")
        return redirect("organisations:organisation_members", slug=organisation.slug)
    return render(
        request,
        "organisations/member_remove.html",
        {"organisation": organisation, "membership": membership},
    )


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation email. Anyone holding it may read it; members accept it."""
    invitation = services.invitation_from_token(token)
    if invitation is None:
        return render(request, "organisations/invitation_invalid.html", status=404)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            services.accept_invitation(invitation, user=request.user)
        except services.OrganisationError as error:
            return _render_invitation(request, invitation, error=str(error), status=403)
        messages.success(
            request,
            _("Welcome to %(organisation)s.")
            % {"organisation": invitation.organisation.legal_name},
        )
        return redirect("organisations:organisation_overview", slug=invitation.organisation.slug)
    return _render_invitation(request, invitation)


def _render_invitation(
    request: HttpRequest, invitation: MembershipInvitation, *, error: str = "", status: int = 200
) -> HttpResponse:
    back_here = urlencode({"next": request.get_full_path()}, safe="/")
    user = request.user
    return render(
        request,
        "organisations/invitation.html",
        {
            "invitation": invitation,
            "error": error,
            "other_address": user.is_authenticated and user.email.lower() != invitation.email,
            "login_url": f"{reverse('account_login')}?{back_here}",
            "signup_url": f"{reverse('account_signup')}?{back_here}",
        },
        status=status,
    )
