import pytest
from django.test import Client

from certification.accounts.models import User
from certification.applications.models import Application, Status
from certification.applications.tests.factories import ApplicationFactory
from certification.core.models import AuditEvent
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Membership, Organisation
from certification.organisations.tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(alice: User, alice_org: Organisation) -> Application:
    return ApplicationFactory(organisation=alice_org, created_by=alice)


def _url(application: Application) -> str:
    return f"/applications/{application.code}/details/"


def _form(**changes: str) -> dict[str, str]:
    data = {
        "organisation-legal_name": "Geoskolan AB",
        "organisation-country": "SE",
        "organisation-address": "Drottninggatan 12\n111 51 Stockholm",
        "organisation-website": "https://geoskolan.example.org",
        "organisation-contact_email": "kurs@geoskolan.example.org",
        "organisation-vat_number": "SE556000111101",
        "activity-training_activity": "Two-day QGIS courses for municipalities.",
    }
    data.update(changes)
    return data


def test_the_page_shows_the_steps_and_the_saved_details(
    client_for, alice: User, application: Application
) -> None:
    response = client_for(alice).get(_url(application))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'aria-current="step"' in content
    assert "Geoskolan AB" in content
    assert 'name="activity-training_activity"' in content
    assert "Contributions to QGIS" in content


def test_saving_keeps_the_organisation_and_training_activity(
    client_for, alice: User, application: Application
) -> None:
    before = application.last_activity_at

    response = client_for(alice).post(_url(application), _form())

    assert response.status_code == 302
    assert response["Location"] == f"/applications/{application.code}/contributions/"
    application.refresh_from_db()
    assert application.training_activity == "Two-day QGIS courses for municipalities."
    assert application.last_activity_at > before
    organisation = application.organisation
    assert organisation.contact_email == "kurs@geoskolan.example.org"
    assert organisation.vat_number == "SE556000111101"
    assert (
        AuditEvent.objects.for_object(application)
        .filter(action="application.details_saved")
        .exists()
    )


def test_any_manager_of_the_organisation_can_continue(
    client_for, alice_org: Organisation, application: Application
) -> None:
    manager = MembershipFactory(organisation=alice_org, role=Membership.Role.MANAGER).user

    response = client_for(manager).post(_url(application), _form())

    assert response.status_code == 302


def test_a_bad_website_is_refused_and_nothing_is_saved(
    client_for, alice: User, application: Application
) -> None:
    response = client_for(alice).post(
        _url(application), _form(**{"organisation-website": "ftp://geoskolan.example.org"})
    )

    assert response.status_code == 200
    assert "organisation-website" in response.content.decode()
    assert "website" in response.context["organisation_form"].errors
    application.refresh_from_db()
    assert application.training_activity == ""
    assert application.organisation.website == "https://example.org"


def test_the_name_of_another_organisation_is_refused(
    client_for, alice: User, application: Application, carol_org: Organisation
) -> None:
    response = client_for(alice).post(
        _url(application), _form(**{"organisation-legal_name": "CARTO LAB LTD"})
    )

    assert response.status_code == 200
    assert "already registered" in response.context["organisation_form"].errors["legal_name"][0]
    # The header keeps the saved name.
    assert "<h1>Geoskolan AB</h1>" in response.content.decode()


def test_keeping_its_own_name_in_another_case_is_fine(
    client_for, alice: User, application: Application
) -> None:
    response = client_for(alice).post(
        _url(application), _form(**{"organisation-legal_name": "GeoSkolan AB"})
    )

    assert response.status_code == 302
    assert Organisation.objects.get(pk=application.organisation_id).legal_name == "GeoSkolan AB"


def test_anonymous_visitors_are_asked_to_log_in(client: Client, application: Application) -> None:
    assert client.get(_url(application))["Location"].startswith("/accounts/login/")
    with assert_unchanged(application, application.organisation):
        assert client.post(_url(application), _form())["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["bob", "carol", "ugo", "tom", "rita", "paula"])
def test_nobody_else_finds_a_draft(
    client_for, request: pytest.FixtureRequest, application: Application, persona: str
) -> None:
    client = client_for(request.getfixturevalue(persona))

    assert client.get(_url(application)).status_code == 404
    with assert_unchanged(application, application.organisation):
        assert client.post(_url(application), _form()).status_code == 404
    application.refresh_from_db()
    assert application.training_activity == ""


def test_an_unknown_application_is_a_404(client_for, alice: User) -> None:
    assert client_for(alice).get("/applications/APP-NOTHERE/details/").status_code == 404


def test_a_submitted_application_can_no_longer_be_edited(
    client_for, alice: User, rita: User, application: Application
) -> None:
    Application.objects.filter(pk=application.pk).update(status=Status.SUBMITTED)

    with assert_unchanged(application, application.organisation):
        assert client_for(alice).post(_url(application), _form()).status_code == 403
        assert client_for(rita).post(_url(application), _form()).status_code == 403
    application.refresh_from_db()
    assert application.training_activity == ""


def test_a_returned_application_can_be_edited_again(
    client_for, alice: User, application: Application
) -> None:
    Application.objects.filter(pk=application.pk).update(status=Status.CHANGES_REQUESTED)

    assert client_for(alice).post(_url(application), _form()).status_code == 302


def test_other_methods_are_refused(client_for, alice: User, application: Application) -> None:
    with assert_unchanged(application, application.organisation):
        assert client_for(alice).delete(_url(application)).status_code == 405


def test_a_new_organisation_owner_edits_the_organisation_created_with_the_application(
    client_for, carol: User
) -> None:
    organisation = OrganisationFactory(status=Organisation.Status.APPLICANT, certified_at=None)
    MembershipFactory(user=carol, organisation=organisation, role=Membership.Role.OWNER)
    application = ApplicationFactory(organisation=organisation)

    response = client_for(carol).post(
        _url(application),
        _form(**{"organisation-legal_name": "Carto Lab Academy", "organisation-country": "GB"}),
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.legal_name == "Carto Lab Academy"
    assert organisation.country.code == "GB"  # type: ignore[attr-defined]  # a Country, not a str
