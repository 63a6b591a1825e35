"""The access helper every view and API endpoint uses to load an organisation."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from certification.accounts.permissions import can
from certification.organisations.models import Membership, Organisation, role_at_least
from certification.organisations.rules import membership_role


def get_organisation_for_member(
    request: HttpRequest, slug: str, *, role: str | None = Membership.Role.TRAINER
) -> Organisation:
    """The organisation, if the user belongs to it with at least `role`.

    Someone with no tie to the organisation gets a 404, so that private pages do not
    reveal which organisations exist; a member whose role is too low gets a 403. With
    `role=None` the certification team and the PSC may look too.
    """
    organisation = get_object_or_404(Organisation, slug=slug)
    if not can(request.user, "organisation.view_private", organisation):
        raise Http404
    if role is not None and not role_at_least(membership_role(request.user, organisation), role):
        raise PermissionDenied
    return organisation
