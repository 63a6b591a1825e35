import pytest
from django.core.exceptions import PermissionDenied

from certification.accounts.models import User
from certification.accounts.permissions import can, require, rule
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_it_refuses_an_action_no_rule_decides(alice: User) -> None:
    with pytest.raises(KeyError, match="No rule decides"):
        can(alice, "nothing.decides_this")


def test_an_action_has_exactly_one_rule() -> None:
    with pytest.raises(ValueError, match="already has a rule"):
        rule("organisation.manage")(lambda user, obj: True)


def test_anonymous_and_inactive_users_may_do_nothing(alice: User, alice_org: Organisation):
    from django.contrib.auth.models import AnonymousUser

    assert can(alice, "organisation.manage", alice_org)
    assert not can(AnonymousUser(), "organisation.manage", alice_org)
    alice.is_active = False
    assert not can(alice, "organisation.manage", alice_org)


def test_require_raises_a_403(carol: User, alice_org: Organisation) -> None:
    with pytest.raises(PermissionDenied):
        require(carol, "organisation.manage", alice_org)


def test_has_perm_asks_the_same_rules(alice: User, carol: User, alice_org: Organisation):
    assert alice.has_perm("organisation.manage", alice_org)
    assert not carol.has_perm("organisation.manage", alice_org)


@pytest.mark.parametrize(
    ("persona", "view_private", "manage", "manage_members", "change_status"),
    [
        ("alice", True, True, True, False),
        ("bob", True, False, False, False),
        ("carol", False, False, False, False),
        ("rita", True, False, False, True),
        ("paula", True, False, False, True),
        ("ugo", False, False, False, False),
        ("tom", False, False, False, False),
    ],
)
def test_organisation_rules_per_persona(
    request, alice_org, persona, view_private, manage, manage_members, change_status
) -> None:
    user = request.getfixturevalue(persona)

    assert can(user, "organisation.view_private", alice_org) is view_private
    assert can(user, "organisation.manage", alice_org) is manage
    assert can(user, "organisation.manage_members", alice_org) is manage_members
    assert can(user, "organisation.change_status", alice_org) is change_status
