"""State changes of organisations: profile, members, invitations, status.

Each function checks its rule (organisations/rules.py) itself; accepting an invitation needs
no rule, only the invitation's address.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from certification.accounts.models import User
from certification.accounts.permissions import require
from certification.core.audit import record_event
from certification.core.mapversion import map_changed
from certification.core.notifications import Addressee, Notice, notify
from certification.organisations.models import Membership, MembershipInvitation, Organisation

INVITATION_SALT = "organisations.member-invitation"
PROFILE_FIELDS = ["address", "website", "contact_email", "vat_number", "logo"]


class OrganisationError(Exception):
    """A change the organisation's state does not allow; the message says why."""


def owners(organisation: Organisation) -> list[User]:
    return [
        m.user
        for m in organisation.memberships.select_related("user").filter(role=Membership.Role.OWNER)
    ]


def update_profile(organisation: Organisation, *, by: User, changed: list[str]) -> None:
    """Save the public profile fields a form has already set on `organisation`."""
    require(by, "organisation.manage", organisation)
    fields = [name for name in changed if name in PROFILE_FIELDS]
    if not fields:
        return
    with transaction.atomic():
        old_logo = (
            Organisation.objects.filter(pk=organisation.pk).values_list("logo", flat=True).first()
        )
        organisation.save(update_fields=[*fields, "updated_at"])
        if "logo" in fields and old_logo and old_logo != organisation.logo.name:
            storage = organisation.logo.storage
            transaction.on_commit(lambda: storage.delete(old_logo))
        record_event(
            "organisation.profile_updated", actor=by, target=organisation, data={"fields": fields}
        )


def invite_member(
    organisation: Organisation, *, by: User, email: str, role: str
) -> MembershipInvitation:
    require(by, "organisation.manage_members", organisation)
    email = email.strip().lower()
    if role not in Membership.Role.values:
        raise OrganisationError(_("Choose a role."))
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise OrganisationError(_("%(email)s is already a member.") % {"email": email})
    with transaction.atomic():
        organisation.invitations.filter(
            email=email, accepted_at__isnull=True, cancelled_at__isnull=True
        ).update(cancelled_at=timezone.now())
        invitation = MembershipInvitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            invited_by=by,
            expires_at=timezone.now() + timedelta(days=settings.MEMBER_INVITATION_DAYS),
        )
        record_event(
            "organisation.member_invited",
            actor=by,
            target=organisation,
            data={"email": email, "role": role},
        )
        token = invitation_token(invitation)
        notify(
            # No account yet: written in the language the inviter uses the site in.
            [Addressee(email=email, language=translation.get_language() or settings.LANGUAGE_CODE)],
            lambda: Notice(
                subject=_("Join %(name)s on the QGIS Certification Programme")
                % {"name": organisation.legal_name},
                paragraphs=[
                    _("%(inviter)s invites you to join %(name)s as %(role)s.")
                    % {
                        "inviter": by.get_full_name(),
                        "name": organisation.legal_name,
                        "role": invitation.get_role_display(),
                    },
                    _(
                        "Log in or create an account with this email address, then accept the "
                        "invitation. It is valid until %(date)s."
                    )
                    % {"date": invitation.expires_at.date().isoformat()},
                ],
                action_label=_("Accept the invitation"),
                action_path=reverse("organisations:accept_invitation", args=[token]),
            ),
        )
    return invitation


def invitation_token(invitation: MembershipInvitation) -> str:
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT, compress=True)


def invitation_from_token(token: str) -> MembershipInvitation | None:
    try:
        data = signing.loads(
            token, salt=INVITATION_SALT, max_age=timedelta(days=settings.MEMBER_INVITATION_DAYS)
        )
    except signing.BadSignature:
        return None
    invitation = (
        MembershipInvitation.objects.select_related("organisation")
        .filter(pk=data.get("invitation"))
        .first()
    )
    return invitation if invitation is not None and invitation.is_pending else None


def _has_address(user: User, email: str) -> bool:
    from allauth.account.models import EmailAddress

    return (
        user.email.lower() == email
        or EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()
    )


def accept_invitation(invitation: MembershipInvitation, *, user: User) -> Membership:
    if not _has_address(user, invitation.email):
        raise OrganisationError(
            _("This invitation was sent to %(email)s. Log in with that address to accept it.")
            % {"email": invitation.email}
        )
    with transaction.atomic():
        invitation = MembershipInvitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_pending:
            raise OrganisationError(_("This invitation is no longer valid."))
        membership, _created = Membership.objects.get_or_create(
            user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        record_event(
            "organisation.member_joined",
            actor=user,
            target=invitation.organisation,
            data={"role": membership.role},
        )
    return membership


def cancel_invitation(invitation: MembershipInvitation, *, by: User) -> None:
    require(by, "organisation.manage_members", invitation.organisation)
    with transaction.atomic():
        invitation = MembershipInvitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_pending:
            raise OrganisationError(_("This invitation is no longer pending."))
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])
        record_event(
            "organisation.invitation_cancelled",
            actor=by,
            target=invitation.organisation,
            data={"email": invitation.email},
        )


def remove_member(membership: Membership, *, by: User) -> None:
    require(by, "organisation.manage_members", membership.organisation)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=membership.organisation_id)
        if (
            membership.role == Membership.Role.OWNER
            and organisation.memberships.filter(role=Membership.Role.OWNER).count() == 1
        ):
            raise OrganisationError(_("An organisation needs at least one owner."))
        membership.delete()
        record_event(
            "organisation.member_removed",
            actor=by,
            target=organisation,
            data={"email": membership.user.email, "role": membership.role},
        )


# Which statuses the certification team or the PSC may move an organisation to, from each.
STATUS_TRANSITIONS: dict[str, list[str]] = {
    Organisation.Status.CERTIFIED: [Organisation.Status.SUSPENDED, Organisation.Status.ARCHIVED],
    Organisation.Status.SUSPENDED: [Organisation.Status.CERTIFIED, Organisation.Status.ARCHIVED],
}


def change_status(organisation: Organisation, *, by: User, status: str, reason: str) -> None:
    """Suspend, archive or reinstate a certified organisation; certificates stay verifiable."""
    require(by, "organisation.change_status", organisation)
    if not reason.strip():
        raise OrganisationError(_("Give the reason."))
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if status not in STATUS_TRANSITIONS.get(organisation.status, []):
            raise OrganisationError(
                _("An organisation that is %(current)s cannot become %(new)s.")
                % {
                    "current": organisation.get_status_display(),
                    "new": Organisation.Status(status).label,
                }
            )
        previous = organisation.status
        organisation.status = status
        organisation.status_reason = reason
        organisation.save(update_fields=["status", "status_reason", "updated_at"])
        map_changed()  # its training centres appear on the map, or leave it
        record_event(
            f"organisation.{'reinstated' if status == Organisation.Status.CERTIFIED else status}",
            actor=by,
            target=organisation,
            data={"from": previous, "reason": reason},
        )
        notify(
            owners(organisation),
            lambda: Notice(
                subject=_("%(name)s is now %(status)s")
                % {"name": organisation.legal_name, "status": organisation.get_status_display()},
                paragraphs=[
                    _("The certification programme has changed the status of your organisation."),
                    _("Certificates already issued stay valid and verifiable."),
                ],
                quote=reason,
                action_label=_("Open your organisation"),
                action_path=reverse(
                    "organisations:organisation_overview", args=[organisation.slug]
                ),
            ),
        )
