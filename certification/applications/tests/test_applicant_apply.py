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

URL = "/apply/"
NEW_ORGANISATION = {
    "legal_name": "Kartakademin AB",
    "country": "SE",
    "address": "Kartvägen 1\n752 36 Uppsala",
    "website": "https://kartakademin.example.org",
    "contact_email": "info@kartakademin.example.org",
    "vat_number": "SE556677889901",
}


def _applicant_org(user: User, *, status: str = Organisation.Status.APPLICANT) -> Organisation:
    return MembershipFactory(
        user=user,
        organisation=OrganisationFactory(legal_name="Kartverket Kurs AS", status=status),
        role=Membership.Role.MANAGER,
    ).organisation


def test_anonymous_visitors_read_what_the_programme_asks_and_how_to_sign_up(
    client: Client,
) -> None:
    response = client.get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert "for organisations, not individuals" in content
    for category in ["Development of QGIS", "Translation", "QGIS books", "Bug reports"]:
        assert category in content
    assert "lectures, exercises and data" in content
    assert "recent QGIS long-term release" in content
    assert "within one month (30 days)" in content
    assert "found a local QGIS user group" in content
    assert "20 EUR" in content
    assert "/accounts/signup/?next=/apply/" in content
    assert "/accounts/login/?next=/apply/" in content
    assert 'name="legal_name"' not in content


def test_logged_in_people_see_the_form_to_start(client_for, carol: User) -> None:
    content = client_for(carol).get(URL).content.decode()

    assert 'name="legal_name"' in content
    assert 'name="contact_email"' in content
    assert 'name="vat_number"' in content


def test_starting_creates_the_organisation_and_a_draft(client_for, carol: User) -> None:
    response = client_for(carol).post(URL, NEW_ORGANISATION)

    application = Application.objects.get(organisation__legal_name="Kartakademin AB")
    assert response.status_code == 302
    assert response["Location"] == f"/applications/{application.code}/details/"
    assert application.status == Status.DRAFT
    assert application.created_by == carol
    organisation = application.organisation
    assert organisation.status == Organisation.Status.APPLICANT
    assert organisation.vat_number == "SE556677889901"
    assert Membership.objects.get(organisation=organisation).user == carol
    assert AuditEvent.objects.for_object(application).filter(action="application.started").exists()
    follow = client_for(carol).get(response["Location"])
    assert follow.status_code == 200


def test_the_success_message_says_the_draft_is_saved(client_for, carol: User) -> None:
    response = client_for(carol).post(URL, NEW_ORGANISATION, follow=True)

    assert "saved as a draft" in response.content.decode()


def test_a_duplicate_name_is_refused_at_the_field_whatever_its_case(
    client_for, carol: User, alice_org: Organisation
) -> None:
    response = client_for(carol).post(URL, {**NEW_ORGANISATION, "legal_name": "geoskolan  ab"})

    assert response.status_code == 200
    form = response.context["form"]
    assert "already registered" in form.errors["legal_name"][0]
    assert list(form.errors) == ["legal_name"]
    assert Organisation.objects.filter(legal_name__iexact="geoskolan ab").count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("legal_name", ""),
        ("country", ""),
        ("country", "XX"),
        ("website", "ftp://kartakademin.example.org"),
        ("website", "javascript:alert(1)"),
        ("contact_email", "not-an-email"),
    ],
)
def test_bad_organisation_details_are_refused(
    client_for, carol: User, field: str, value: str
) -> None:
    response = client_for(carol).post(URL, {**NEW_ORGANISATION, field: value})

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Organisation.objects.filter(legal_name="Kartakademin AB").exists()


def test_anonymous_posts_are_sent_to_log_in(client: Client) -> None:
    response = client.post(URL, NEW_ORGANISATION)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/apply/")
    assert not Organisation.objects.filter(legal_name="Kartakademin AB").exists()


def test_other_methods_are_refused(client_for, carol: User) -> None:
    with assert_unchanged(Organisation, Application):
        assert client_for(carol).put(URL).status_code == 405


def test_open_and_earlier_applications_are_listed_with_links(
    client_for, alice: User, alice_org: Organisation, carol_org: Organisation
) -> None:
    open_one = ApplicationFactory(organisation=alice_org, status=Status.SUBMITTED)
    closed_one = ApplicationFactory(organisation=alice_org, status=Status.REJECTED)
    others = ApplicationFactory(organisation=carol_org)

    content = client_for(alice).get(URL).content.decode()

    assert "Your applications in progress" in content
    assert f'href="/applications/{open_one.code}/"' in content
    assert "Earlier applications" in content
    assert f'href="/applications/{closed_one.code}/"' in content
    assert others.code not in content


def test_a_trainer_does_not_see_the_organisations_applications(
    client_for, bob: User, alice_org: Organisation
) -> None:
    application = ApplicationFactory(organisation=alice_org)

    assert application.code not in client_for(bob).get(URL).content.decode()


# --- Re-applications ----------------------------------------------------------------------


def test_an_organisation_without_open_application_can_apply_again(client_for, carol: User) -> None:
    organisation = _applicant_org(carol)
    ApplicationFactory(organisation=organisation, status=Status.REJECTED)

    page = client_for(carol).get(URL).content.decode()
    response = client_for(carol).post("/apply/again/", {"organisation": organisation.slug})

    assert "Apply again" in page
    assert f'value="{organisation.slug}"' in page
    application = organisation.applications.get(status=Status.DRAFT)
    assert response["Location"] == f"/applications/{application.code}/details/"


def test_certified_organisations_and_those_in_progress_are_not_offered(
    client_for, alice: User, alice_org: Organisation
) -> None:
    busy = _applicant_org(alice)
    ApplicationFactory(organisation=busy)

    content = client_for(alice).get(URL).content.decode()

    assert 'action="/apply/again/"' not in content
    response = client_for(alice).post("/apply/again/", {"organisation": alice_org.slug})
    assert response.status_code == 200
    assert "organisation" in response.context["reapply_form"].errors
    assert not alice_org.applications.exists()


def test_nobody_applies_again_for_another_organisation(
    client_for, carol: User, alice: User
) -> None:
    organisation = _applicant_org(alice)

    response = client_for(carol).post("/apply/again/", {"organisation": organisation.slug})

    assert response.status_code == 200
    assert "organisation" in response.context["reapply_form"].errors
    assert not organisation.applications.exists()


def test_a_trainer_cannot_apply_again_for_the_organisation(client_for, bob: User) -> None:
    organisation = MembershipFactory(
        user=bob,
        organisation=OrganisationFactory(status=Organisation.Status.APPLICANT),
        role=Membership.Role.TRAINER,
    ).organisation

    response = client_for(bob).post("/apply/again/", {"organisation": organisation.slug})

    assert response.status_code == 200
    assert not organisation.applications.exists()


def test_applying_again_needs_a_login_and_a_post(client: Client, client_for, carol: User) -> None:
    organisation = _applicant_org(carol)

    assert client.post("/apply/again/", {"organisation": organisation.slug})["Location"].startswith(
        "/accounts/login/"
    )
    assert client_for(carol).get("/apply/again/").status_code == 405
    assert not organisation.applications.exists()


def test_the_apply_page_runs_a_fixed_number_of_queries(
    client_for, alice: User, django_assert_max_num_queries
) -> None:
    client = client_for(alice)
    client.get(URL)
    for _ in range(10):
        organisation = _applicant_org_n(alice)
        ApplicationFactory(organisation=organisation)

    with django_assert_max_num_queries(7):
        response = client.get(URL)

    assert response.content.decode().count('class="badge badge-draft"') == 10


def _applicant_org_n(user: User) -> Organisation:
    return MembershipFactory(
        user=user,
        organisation=OrganisationFactory(status=Organisation.Status.APPLICANT),
        role=Membership.Role.OWNER,
    ).organisation
