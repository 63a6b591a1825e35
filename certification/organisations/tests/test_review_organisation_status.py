"""The certification team and the PSC suspend, archive and reinstate organisations."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation
from certification.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

LIST = reverse("review:organisations")


def page_of(organisation) -> str:
    return reverse("review:organisation_status", args=[organisation.slug])


def change(client, organisation, **data: str):
    fields = {"status": "suspended", "reason": "Unpaid certificates.", "confirm": "on", **data}
    return client.post(page_of(organisation), fields)


@pytest.mark.parametrize("persona", ["rita", "paula"])
def test_the_team_and_the_psc_list_the_certified_organisations(
    request, client_for, alice_org, persona
) -> None:
    OrganisationFactory(legal_name="Still applying", status=Organisation.Status.APPLICANT)
    archived = OrganisationFactory(legal_name="Closed down", status=Organisation.Status.ARCHIVED)

    response = client_for(request.getfixturevalue(persona)).get(LIST)

    assert response.status_code == 200
    assert set(response.context["page_obj"]) == {alice_org, archived}
    assert "Still applying" not in response.content.decode()


def test_the_list_can_be_searched_and_filtered(client_for, rita, alice_org, carol_org) -> None:
    carol_org.status = Organisation.Status.SUSPENDED
    carol_org.save()

    by_name = client_for(rita).get(LIST, {"q": "geosk"})
    by_country = client_for(rita).get(LIST, {"q": "gb"})
    by_status = client_for(rita).get(LIST, {"status": "suspended"})
    nothing = client_for(rita).get(LIST, {"q": "nothing like it"})

    assert list(by_name.context["page_obj"]) == [alice_org]
    assert list(by_country.context["page_obj"]) == [carol_org]
    assert list(by_status.context["page_obj"]) == [carol_org]
    assert "No organisation matches." in nothing.content.decode()


def test_the_list_shows_25_a_page(client_for, rita) -> None:
    OrganisationFactory.create_batch(27)

    response = client_for(rita).get(LIST, {"page": 2})

    assert len(response.context["page_obj"]) == 2


def test_the_team_suspends_an_organisation_with_a_reason(
    client_for, rita, alice, alice_org, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = change(client_for(rita), alice_org)

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Geoskolan AB is now suspended."
    ]
    alice_org.refresh_from_db()
    assert alice_org.status == Organisation.Status.SUSPENDED
    assert alice_org.status_reason == "Unpaid certificates."
    assert [m.to for m in mail.outbox] == [[alice.email]]
    page = client_for(rita).get(page_of(alice_org)).content.decode()
    assert "Suspended" in page
    assert "Unpaid certificates." in page  # in the status history


def test_the_psc_reinstates_a_suspended_organisation(client_for, paula, alice_org) -> None:
    alice_org.status = Organisation.Status.SUSPENDED
    alice_org.save()

    response = change(client_for(paula), alice_org, status="certified", reason="Paid.")

    assert response.status_code == 302
    alice_org.refresh_from_db()
    assert alice_org.status == Organisation.Status.CERTIFIED


def test_the_team_archives_an_organisation(client_for, rita, alice_org) -> None:
    change(client_for(rita), alice_org, status="archived", reason="Closed down.")

    alice_org.refresh_from_db()
    assert alice_org.status == Organisation.Status.ARCHIVED


def test_the_form_offers_only_the_possible_changes(client_for, rita, alice_org) -> None:
    certified = client_for(rita).get(page_of(alice_org)).content.decode()
    alice_org.status = Organisation.Status.ARCHIVED
    alice_org.save()
    archived = client_for(rita).get(page_of(alice_org)).content.decode()

    assert 'value="suspended"' in certified
    assert 'value="archived"' in certified
    assert 'value="certified"' not in certified
    assert 'name="status"' not in archived
    assert "cannot be suspended, archived or reinstated" in archived


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reason": "  "}, "This field is required."),
        ({"confirm": ""}, "Tick the box to confirm."),
        ({"status": "certified"}, "Select a valid choice."),
        ({"status": "applicant"}, "Select a valid choice."),
    ],
)
def test_bad_changes_are_refused(client_for, rita, alice_org, data, error) -> None:
    response = change(client_for(rita), alice_org, **data)

    assert response.status_code == 400
    assert error in response.content.decode()
    alice_org.refresh_from_db()
    assert alice_org.status == Organisation.Status.CERTIFIED


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "ugo", "tom"])
def test_others_may_not_change_the_status(request, client_for, alice_org, persona) -> None:
    client = client_for(request.getfixturevalue(persona))

    assert client.get(LIST).status_code == 403
    assert client.get(page_of(alice_org)).status_code == 403
    with assert_unchanged(alice_org):
        assert change(client, alice_org).status_code == 403
    alice_org.refresh_from_db()
    assert alice_org.status == Organisation.Status.CERTIFIED


def test_anonymous_visitors_are_sent_to_log_in(client_for, alice_org) -> None:
    with assert_unchanged(alice_org):
        for response in (client_for(None).get(LIST), change(client_for(None), alice_org)):
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))


def test_an_unknown_organisation_is_not_found(client_for, rita) -> None:
    assert client_for(rita).get("/review/organisations/nope/status/").status_code == 404


def test_the_list_refuses_a_post(client_for, rita, alice_org) -> None:
    with assert_unchanged(alice_org):
        assert client_for(rita).post(LIST).status_code == 405
