import pytest
from django.test import Client

from certification.accounts.models import User
from certification.applications.models import Application, Contribution, Status
from certification.applications.tests.factories import ApplicationFactory, ContributionFactory
from certification.core.models import AuditEvent
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(alice: User, alice_org: Organisation) -> Application:
    return ApplicationFactory(organisation=alice_org, created_by=alice)


def _base(application: Application) -> str:
    return f"/applications/{application.code}/contributions/"


def _form(**changes: str) -> dict[str, str]:
    data = {
        "category": Contribution.Category.PLUGINS,
        "description": "We maintain the Swedish cadastre plugin.",
        "start_year": "2018",
        "end_year": "",
        "evidence_links": "https://plugins.qgis.org/plugins/cadastre/\n\n  http://example.org/x  ",
    }
    data.update(changes)
    return data


# --- List ---------------------------------------------------------------------------------


def test_the_list_shows_the_contributions_of_this_application_only(
    client_for, alice: User, application: Application
) -> None:
    ContributionFactory(application=application, description="Swedish translation.")
    ContributionFactory(description="Someone else's work.")

    response = client_for(alice).get(_base(application))

    content = response.content.decode()
    assert "Swedish translation." in content
    assert "Someone else's work." not in content
    assert "Add a contribution" in content


def test_the_list_refuses_posts(client_for, alice: User, application: Application) -> None:
    with assert_unchanged(application, Contribution):
        assert client_for(alice).post(_base(application)).status_code == 405


# --- Add and edit -------------------------------------------------------------------------


def test_adding_a_contribution(client_for, alice: User, application: Application) -> None:
    response = client_for(alice).post(f"{_base(application)}add/", _form())

    assert response.status_code == 302
    assert response["Location"] == _base(application)
    contribution = application.contributions.get()
    assert contribution.category == Contribution.Category.PLUGINS
    assert contribution.end_year is None
    assert contribution.evidence_links == [
        "https://plugins.qgis.org/plugins/cadastre/",
        "http://example.org/x",
    ]
    assert AuditEvent.objects.filter(action="application.contribution_saved").exists()


def test_editing_a_contribution_shows_its_links_one_per_line(
    client_for, alice: User, application: Application
) -> None:
    contribution = ContributionFactory(
        application=application, evidence_links=["https://a.example.org", "https://b.example.org"]
    )
    url = f"{_base(application)}{contribution.pk}/"

    page = client_for(alice).get(url).content.decode()
    response = client_for(alice).post(url, _form(end_year="2022"))

    assert "https://a.example.org\nhttps://b.example.org" in page
    assert response.status_code == 302
    contribution.refresh_from_db()
    assert contribution.period == "2018–2022"
    assert application.contributions.count() == 1


def test_the_end_year_cannot_come_before_the_start(
    client_for, alice: User, application: Application
) -> None:
    response = client_for(alice).post(
        f"{_base(application)}add/", _form(start_year="2020", end_year="2019")
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["end_year"]
    assert "cannot be before the start year" in errors["end_year"][0]
    assert not application.contributions.exists()


@pytest.mark.parametrize(
    "line", ["ftp://example.org/file", "javascript:alert(1)", "www.example.org", "not a link"]
)
def test_each_evidence_link_must_be_a_web_address(
    client_for, alice: User, application: Application, line: str
) -> None:
    response = client_for(alice).post(
        f"{_base(application)}add/",
        _form(evidence_links=f"https://example.org/ok\n{line}"),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["evidence_links"]
    assert len(errors) == 1
    assert errors[0].startswith("Line 2,")
    assert line in errors[0]
    assert not application.contributions.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("category", "cooking"), ("description", ""), ("start_year", "1999"), ("start_year", "")],
)
def test_other_bad_inputs_are_refused(
    client_for, alice: User, application: Application, field: str, value: str
) -> None:
    response = client_for(alice).post(f"{_base(application)}add/", _form(**{field: value}))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not application.contributions.exists()


def test_a_contribution_of_another_application_is_a_404(
    client_for, alice: User, application: Application
) -> None:
    elsewhere = ContributionFactory()

    client = client_for(alice)
    assert client.get(f"{_base(application)}{elsewhere.pk}/").status_code == 404
    with assert_unchanged(elsewhere):
        assert client.post(f"{_base(application)}{elsewhere.pk}/", _form()).status_code == 404
        assert client.post(f"{_base(application)}{elsewhere.pk}/delete/").status_code == 404
    assert Contribution.objects.filter(pk=elsewhere.pk).exists()


# --- Delete -------------------------------------------------------------------------------


def test_deleting_asks_first_then_deletes_on_post(
    client_for, alice: User, application: Application
) -> None:
    contribution = ContributionFactory(application=application)
    url = f"{_base(application)}{contribution.pk}/delete/"

    confirmation = client_for(alice).get(url)
    assert confirmation.status_code == 200
    assert "Delete this contribution?" in confirmation.content.decode()
    assert Contribution.objects.filter(pk=contribution.pk).exists()

    response = client_for(alice).post(url)
    assert response.status_code == 302
    assert response["Location"] == _base(application)
    assert not Contribution.objects.filter(pk=contribution.pk).exists()


# --- Who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["bob", "carol", "ugo", "tom", "rita"])
def test_nobody_else_can_change_contributions(
    client_for, request: pytest.FixtureRequest, application: Application, persona: str
) -> None:
    contribution = ContributionFactory(application=application)
    client = client_for(request.getfixturevalue(persona))

    assert client.get(_base(application)).status_code == 404
    with assert_unchanged(application, contribution):
        assert client.post(f"{_base(application)}add/", _form()).status_code == 404
        assert client.post(f"{_base(application)}{contribution.pk}/", _form()).status_code == 404
        assert client.post(f"{_base(application)}{contribution.pk}/delete/").status_code == 404
    assert application.contributions.count() == 1


def test_anonymous_visitors_are_asked_to_log_in(client: Client, application: Application) -> None:
    response = client.post(f"{_base(application)}add/", _form())

    assert response["Location"].startswith("/accounts/login/")
    assert not application.contributions.exists()


def test_a_submitted_application_refuses_changes(
    client_for, alice: User, application: Application
) -> None:
    contribution = ContributionFactory(application=application)
    Application.objects.filter(pk=application.pk).update(status=Status.SUBMITTED)

    client = client_for(alice)
    with assert_unchanged(application, contribution):
        assert client.post(f"{_base(application)}add/", _form()).status_code == 403
        assert client.post(f"{_base(application)}{contribution.pk}/delete/").status_code == 403
    assert application.contributions.count() == 1
