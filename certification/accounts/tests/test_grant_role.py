import pytest
from django.core import mail

from certification.accounts.roles import GlobalRole, has_role
from certification.accounts.services import grant_role, revoke_role
from certification.accounts.tests.factories import UserFactory
from certification.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_granting_a_staff_role_opens_the_admin_and_tells_the_person(
    rita, django_capture_on_commit_callbacks
) -> None:
    user = UserFactory.create(preferred_language="sv", name="Tove Kassör")

    with django_capture_on_commit_callbacks(execute=True):
        grant_role(user, GlobalRole.TREASURER, by=rita)

    user.refresh_from_db()
    assert has_role(user, GlobalRole.TREASURER)
    assert user.is_staff
    event = AuditEvent.objects.for_object(user).get(action="account.role_granted")
    assert event.actor == rita
    assert event.data == {"role": "treasurer"}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Du har nu rollen “Kassör”"
    assert "tvåfaktorsautentisering" in mail.outbox[0].body


def test_a_user_group_reviewer_is_not_made_staff(django_capture_on_commit_callbacks) -> None:
    user = UserFactory.create()

    with django_capture_on_commit_callbacks(execute=True):
        grant_role(user, GlobalRole.USER_GROUP_REVIEWER, by=None)

    user.refresh_from_db()
    assert not user.is_staff
    assert "two-factor" not in mail.outbox[0].body


def test_revoking_a_role_takes_it_away(rita) -> None:
    user = UserFactory.create()
    grant_role(user, GlobalRole.PSC_MEMBER, by=rita, notify=False)

    revoke_role(user, GlobalRole.PSC_MEMBER, by=rita)

    assert not has_role(user, GlobalRole.PSC_MEMBER)
    assert AuditEvent.objects.for_object(user).filter(action="account.role_revoked").count() == 1
