"""The access helper every view and API endpoint uses to load an organisation."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from certification.accounts.permissions import can
from certification.organisations.models import Membership, Organisation, role_at_least
from certification.organisations.rules import membership_role


def get_organisation_for_member(
    request: HttpRequest,
    slug: str,
    *,
    role: Membership.Role = Membership.Role.TRAINER,
    staff_may_view: bool = False,
) -> Organisation:
    """The organisation, if the user belongs to it with at least `role`.

    Someone with no tie to the organisation gets a 404, so that private pages do not
    reveal which organisations exist; a member whose role is too low gets a 403. With
    `staff_may_view=True` the certification team and the PSC may look too, without being
    members.
    """
    organisation = get_object_or_404(Organisation, slug=slug)
    if not can(request.user, "organisation.view_private", organisation):
        raise Http404
    member_role = membership_role(request.user, organisation)
    # Past the rule above, someone who is not a member is one of the staff who oversee.
    if staff_may_view and member_role is None:
        return organisation
    if not role_at_least(member_role, role):
        raise PermissionDenied
    return organisation
