"""The certificates panel of a course, its own page and the progress endpoint htmx polls."""

import pytest
from django.test import Client, RequestFactory

from certification.accounts.models import User
from certification.certificates.panel import course_page_panel, course_panel_context
from certification.certificates.services import revoke_certificate
from certification.certificates.tests.factories import (
    add_attendees,
    approved_course,
    attendees_of,
    delivered,
    issue,
)
from certification.organisations.models import Membership, Organisation
from certification.organisations.tests.factories import MembershipFactory
from certification.training.models import Course

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(alice_org: Organisation, bob: User) -> Course:
    return approved_course(alice_org, attendees=3, trainer_user=bob)


def page(course: Course) -> str:
    return (
        f"/dashboard/organisations/{course.organisation.slug}/courses/{course.public_id}/"
        "certificates/"
    )


def progress(course: Course) -> str:
    return page(course) + "progress/"


# --- Who sees it --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("bob", 200), ("rita", 200), ("carol", 404), ("tom", 404), ("ugo", 404)],
)
def test_who_sees_the_certificates_of_a_course(
    request: pytest.FixtureRequest, client_for, course: Course, persona: str, status: int
) -> None:
    client = client_for(request.getfixturevalue(persona))

    assert client.get(page(course)).status_code == status
    assert client.get(progress(course)).status_code == status


def test_trainers_who_do_not_teach_the_course_do_not_see_it(
    client_for, alice_org: Organisation, bob: User
) -> None:
    course = approved_course(alice_org, attendees=1)

    assert client_for(bob).get(page(course)).status_code == 403


def test_the_psc_does_not_look_at_certificates(client_for, course: Course, paula: User) -> None:
    assert client_for(paula).get(page(course)).status_code == 403


def test_anonymous_visitors_are_asked_to_log_in(client: Client, course: Course) -> None:
    assert client.get(page(course))["Location"].startswith("/accounts/login/")
    assert client.get(progress(course))["Location"].startswith("/accounts/login/")


def test_the_panel_context_is_empty_for_those_who_may_not_see_it(
    rf: RequestFactory, course: Course, carol: User
) -> None:
    request = rf.get("/")
    request.user = carol

    assert course_panel_context(request, course) == {}
    assert course_page_panel(request, course) == {"certificates_panel": {}}


# --- What it shows ------------------------------------------------------------------------


def test_it_shows_each_certificate_with_its_delivery(
    client_for, alice: User, course: Course
) -> None:
    first, second, third = attendees_of(course)
    sent, bounced, waiting = issue(course, [first, second, third], by=alice)
    delivered(sent)
    delivered(bounced, email_error="Mailbox unavailable")

    content = client_for(alice).get(page(course)).content.decode()

    for certificate in (sent, bounced, waiting):
        assert certificate.code in content
    assert content.count('<span class="state state-done">Sent</span>') == 1
    assert "Not delivered" in content
    assert "Mailbox unavailable" in content
    assert content.count("Being made") == 1
    assert f'href="/dashboard/organisations/geoskolan/certificates/{sent.code}/pdf/"' in content
    assert f"/certificates/{waiting.code}/pdf/" not in content
    assert f"/certificates/{sent.code}/resend/" in content
    assert f"/certificates/{waiting.code}/resend/" not in content
    assert f"/certificates/{sent.code}/revoke/" in content
    assert f"/certificates/{sent.code}/reissue/" in content


def test_a_revoked_certificate_stays_on_the_list(client_for, alice: User, course: Course) -> None:
    [certificate] = issue(course, attendees_of(course)[:1], by=alice)
    revoke_certificate(certificate, by=alice, reason="Wrong person")

    content = client_for(alice).get(page(course)).content.decode()

    assert certificate.code in content
    assert '<span class="badge badge-revoked">Revoked</span>' in content
    assert f"/certificates/{certificate.code}/revoke/" not in content
    assert f"/certificates/{certificate.code}/reissue/" not in content


def test_owners_get_the_issue_button_trainers_do_not(
    client_for, alice: User, bob: User, course: Course
) -> None:
    issue_path = page(course) + "issue/"

    alice_sees = client_for(alice).get(page(course)).content.decode()
    bob_sees = client_for(bob).get(page(course)).content.decode()

    assert f'href="{issue_path}"' in alice_sees
    assert "Issue certificates (3 attendees without one)" in alice_sees
    assert issue_path not in bob_sees


def test_trainers_of_the_course_resend_but_do_not_revoke_or_reissue(
    client_for, alice: User, bob: User, course: Course
) -> None:
    [certificate] = issue(course, attendees_of(course)[:1], by=alice)
    delivered(certificate)

    content = client_for(bob).get(page(course)).content.decode()

    assert f"/certificates/{certificate.code}/resend/" in content
    assert f"/certificates/{certificate.code}/pdf/" in content
    assert f"/certificates/{certificate.code}/revoke/" not in content
    assert f"/certificates/{certificate.code}/reissue/" not in content


def test_the_certification_team_sees_a_revoke_link_only(
    client_for, alice: User, rita: User, course: Course
) -> None:
    [certificate] = issue(course, attendees_of(course)[:1], by=alice)
    delivered(certificate)

    content = client_for(rita).get(page(course)).content.decode()

    assert f"/certificates/{certificate.code}/revoke/" in content
    assert f"/certificates/{certificate.code}/resend/" not in content
    assert "issue/" not in content


def test_it_explains_why_an_uncertified_organisation_cannot_issue(
    client_for, alice: User, alice_org: Organisation, course: Course
) -> None:
    alice_org.status = Organisation.Status.SUSPENDED
    alice_org.save(update_fields=["status"])

    content = client_for(alice).get(page(course)).content.decode()

    assert "Only a certified organisation issues certificates." in content
    assert page(course) + "issue/" not in content


# --- Progress -----------------------------------------------------------------------------


def test_it_polls_while_certificates_are_on_their_way(
    client_for, alice: User, course: Course
) -> None:
    first, second, _third = attendees_of(course)
    done, _waiting = issue(course, [first, second], by=alice)
    delivered(done)

    content = client_for(alice).get(page(course)).content.decode()

    assert f'hx-get="{progress(course)}" hx-trigger="every 2s" hx-swap="outerHTML"' in content
    assert "1 of 2 done" in content
    assert '<progress id="certificates-progress" max="2" value="1">' in content
    assert f'<a href="{page(course)}#certificates">Refresh</a>' in content


def test_polling_stops_once_everything_is_delivered(
    client_for, alice: User, course: Course
) -> None:
    for certificate in issue(course, by=alice):
        delivered(certificate)

    response = client_for(alice).get(progress(course), headers={"HX-Request": "true"})

    content = response.content.decode()
    assert response.templates[0].name == "certificates/_course_panel.html"
    assert "<html" not in content
    assert "hx-trigger" not in content
    assert "Refresh" not in content


def test_a_delivery_problem_counts_as_done(client_for, alice: User, course: Course) -> None:
    for certificate in issue(course, by=alice):
        delivered(certificate, email_error="No such mailbox")

    assert "hx-trigger" not in client_for(alice).get(progress(course)).content.decode()


def test_the_progress_answer_links_back_to_the_page_it_is_shown_on(
    client_for, alice: User, course: Course
) -> None:
    issue(course, by=alice)
    course_page = f"/dashboard/organisations/geoskolan/courses/{course.public_id}/"
    headers = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{course_page}"}

    content = client_for(alice).get(progress(course), headers=headers).content.decode()

    assert f'<a href="{course_page}#certificates">Refresh</a>' in content


def test_a_foreign_page_named_by_htmx_is_not_linked(
    client_for, alice: User, course: Course
) -> None:
    issue(course, by=alice)
    headers = {"HX-Request": "true", "HX-Current-URL": "https://evil.example/phish"}

    content = client_for(alice).get(progress(course), headers=headers).content.decode()

    assert "evil.example" not in content
    assert f'<a href="{page(course)}#certificates">Refresh</a>' in content


def test_the_progress_answer_is_not_cached(client_for, alice: User, course: Course) -> None:
    response = client_for(alice).get(progress(course))

    assert "no-cache" in response["Cache-Control"]


# --- Queries ------------------------------------------------------------------------------


def test_the_panel_runs_the_same_queries_for_3_or_30_certificates(
    client_for, alice: User, course: Course, django_assert_max_num_queries
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(alice)
    for certificate in issue(course, by=alice):
        delivered(certificate)
    client.get(page(course))  # the session and the role caches warm up
    with CaptureQueriesContext(connection) as few:
        client.get(page(course))

    add_attendees(course, 27, start=3)
    certificates = issue(course, attendees_of(course)[3:], by=alice)
    for certificate in certificates[:20]:
        delivered(certificate)
    revoke_certificate(certificates[0], by=alice, reason="Wrong person")
    with django_assert_max_num_queries(len(few)):
        response = client.get(page(course))
    assert response.context["certificates_panel"]["valid_count"] == 29


def test_managers_see_the_panel_like_owners(
    client_for, alice_org: Organisation, course: Course
) -> None:
    maria = MembershipFactory(organisation=alice_org, role=Membership.Role.MANAGER).user

    content = client_for(maria).get(page(course)).content.decode()

    assert page(course) + "issue/" in content


# --- On the course page -------------------------------------------------------------------


def test_the_course_page_shows_the_panel_and_actions_come_back_to_it(
    client_for, alice: User, course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    from certification.training.views import courses as course_views

    # certificates.apps registers the panel at start-up; here it is registered explicitly.
    monkeypatch.setattr(course_views, "course_page_panels", [course_page_panel])
    [certificate] = issue(course, attendees_of(course)[:1], by=alice)
    delivered(certificate)
    course_page = f"/dashboard/organisations/geoskolan/courses/{course.public_id}/"

    content = client_for(alice).get(course_page).content.decode()

    assert 'id="certificates"' in content
    assert certificate.code in content
    assert f'<input type="hidden" name="next" value="{course_page}">' in content
