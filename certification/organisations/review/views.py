"""The organisation oversight pages of the reviewers' workspace: /review/organisations/…

The certification team and the PSC list the certified, suspended and archived organisations
and move one between those states; `organisations.services.change_status` does the move.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from certification.accounts.http import AuthenticatedHttpRequest
from certification.accounts.permissions import require
from certification.organisations.models import Organisation
from certification.organisations.review.forms import OrganisationFilterForm, OrganisationStatusForm
from certification.organisations.review.queries import overseen_organisations, status_history
from certification.organisations.services import OrganisationError, change_status

PAGE_SIZE = 25


@login_required
@require_GET
def organisations(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request.user, "organisation.change_status")
    form = OrganisationFilterForm(request.GET)
    found = overseen_organisations(text=form.value("q").strip(), status=form.value("status"))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "review/organisations.html", {"form": form, "page_obj": page})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_status(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    require(request.user, "organisation.change_status", organisation)
    form = OrganisationStatusForm(
        request.POST if request.method == "POST" else None, organisation=organisation
    )
    if form.is_valid():
        new_status = Organisation.Status(form.cleaned_data["status"])
        try:
            change_status(
                organisation,
                by=request.user,
                status=new_status,
                reason=form.cleaned_data["reason"],
            )
        except OrganisationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(name)s is now %(status)s.")
                % {"name": organisation.legal_name, "status": new_status.label.lower()},
            )
            return redirect("review:organisation_status", organisation.slug)
    return render(
        request,
        "review/organisation_status.html",
        {
            "organisation": organisation,
            "form": form,
            "history": status_history(organisation),
            # The applications app sits above this one: its rows are reached through the
            # reverse relation, without importing it. Reviewers never see drafts.
            "applications": organisation.applications.exclude(status="draft")[:10],
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
