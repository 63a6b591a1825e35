import time

import pytest
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.test import override_settings

from certification.accounts.models import User
from certification.accounts.roles import GlobalRole, has_role
from certification.applications.models import Application, Contribution, Status, UserGroup
from certification.billing.models import Invoice, Payment
from certification.billing.statements import parse_camt053
from certification.certificates.models import Certificate
from certification.demo.billing import statement_path
from certification.demo.courses import ATTENDEES
from certification.demo.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET
from certification.organisations.models import Membership, Organisation
from certification.training.models import Course, TrainingCentre

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_it_creates_an_account_for_every_role_quickly() -> None:
    started = time.monotonic()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert time.monotonic() - started < 10

    for role in GlobalRole:
        assert any(has_role(user, role) for user in User.objects.all()), role
    for member_role in Membership.Role:
        assert Membership.objects.filter(role=member_role).exists(), member_role
    assert User.objects.filter(is_superuser=True).exists()
    assert Organisation.objects.certified().count() >= 3
    assert Organisation.objects.filter(status=Organisation.Status.APPLICANT).exists()
    # A living review queue: an application in every state, user groups for many countries.
    assert set(Application.objects.values_list("status", flat=True)) == set(Status.values)
    assert UserGroup.objects.count() >= 5
    assert Contribution.objects.filter(published=True).exists()
    # Courses in several countries, past ones with certificates for names in many scripts.
    assert Course.objects.upcoming().public().count() >= 6
    assert TrainingCentre.objects.values("country").distinct().count() >= 15
    # The map crosses the antimeridian (Fiji) and the statistics span several years.
    assert TrainingCentre.objects.filter(country="FJ", longitude__gt=179).exists()
    assert len({c.issued_at.year for c in Certificate.objects.all()}) >= 2
    assert Certificate.objects.count() >= 12
    holders = set(Certificate.objects.values_list("attendee__name", flat=True))
    assert len(holders & set(ATTENDEES)) >= 8  # Greek, Cyrillic, Arabic, Hebrew, CJK…
    # Billing: paid and open invoices, a card payment, a statement that pays the open one.
    assert set(Invoice.objects.values_list("status", flat=True)) == {"paid", "open"}
    assert Payment.objects.filter(method="card").exists()
    statement = parse_camt053(statement_path().read_bytes())
    open_references = set(Invoice.objects.filter(status="open").values_list("reference", flat=True))
    assert {entry.reference for entry in statement} & open_references
    alice = User.objects.get(email="alice@example.org")
    assert alice.check_password(DEMO_PASSWORD)
    rita = User.objects.get(email="rita@example.org")
    assert Authenticator.objects.filter(user=rita, type=Authenticator.Type.TOTP).exists()


@override_settings(DEBUG=True)
def test_running_it_again_changes_nothing() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (User.objects.count(), Organisation.objects.count(), Membership.objects.count())

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
    ) == counts


def test_without_debug_the_demo_accounts_have_no_password() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    alice = User.objects.get(email="alice@example.org")
    assert not alice.has_usable_password()
    assert not any(user.has_usable_password() for user in User.objects.all())


def test_without_debug_no_demo_account_has_the_published_two_factor_secret() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    secrets = [
        get_adapter().decrypt(authenticator.data["secret"])
        for authenticator in Authenticator.objects.filter(type=Authenticator.Type.TOTP)
    ]
    # Staff still act only with a second factor, but nobody knows the one they have.
    assert len(secrets) == 4  # rita, paula, tom, admin
    assert DEMO_TOTP_SECRET not in secrets
    assert len(set(secrets)) == len(secrets)
