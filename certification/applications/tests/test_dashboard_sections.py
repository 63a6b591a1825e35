import pytest

from certification.applications.tests.factories import (
    draft_through_services,
    submitted_through_services,
)

pytestmark = pytest.mark.django_db


def test_applicants_find_their_applications_on_the_dashboard(client_for, carol) -> None:
    application = draft_through_services()

    page = client_for(application.created_by).get("/dashboard/").content.decode()

    assert "Your applications" in page
    assert f'href="/applications/{application.code}/"' in page
    assert application.code not in client_for(carol).get("/dashboard/").content.decode()


def test_reviewers_see_how_much_waits_for_them(client_for, rita, alice) -> None:
    submitted_through_services()
    submitted_through_services(name="Andra Kartor AB")

    page = client_for(rita).get("/dashboard/").content.decode()

    assert "2 items wait for you in the review workspace." in page
    assert "review workspace" not in client_for(alice).get("/dashboard/").content.decode()


def test_the_dashboard_runs_the_same_queries_for_many_applications(
    client_for, django_assert_max_num_queries
) -> None:
    application = draft_through_services()
    client = client_for(application.created_by)
    client.get("/dashboard/")
    for number in range(9):
        draft_through_services(application.created_by, name=f"Kartbolag {number}")

    with django_assert_max_num_queries(8):
        page = client.get("/dashboard/").content.decode()

    assert page.count('href="/applications/APP-') == 10
