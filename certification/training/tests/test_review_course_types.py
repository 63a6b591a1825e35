"""The certification team reviews the course types that certified organisations propose."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Membership
from certification.organisations.tests.factories import MembershipFactory
from certification.training.models import CourseType
from certification.training.tests.factories import CourseMaterialFactory, CourseTypeFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("review:course_types")


@pytest.fixture
def proposed(alice, alice_org):
    course_type = CourseTypeFactory(
        organisation=alice_org, title="Advanced QGIS", status=CourseType.Status.PROPOSED
    )
    CourseMaterialFactory(course_type=course_type)
    CourseMaterialFactory(course_type=course_type, link=True)
    return course_type


def page_of(course_type) -> str:
    return reverse("review:course_type_review", args=[course_type.pk])


def review(client, course_type, **data: str):
    return client.post(page_of(course_type), {"outcome": "approve", "comment": "", **data})


def test_the_team_sees_the_proposed_course_types(client_for, rita, proposed) -> None:
    CourseTypeFactory(title="A draft", status=CourseType.Status.DRAFT)
    CourseTypeFactory(title="Already approved", status=CourseType.Status.APPROVED)

    response = client_for(rita).get(QUEUE)

    assert list(response.context["page_obj"]) == [proposed]
    html = response.content.decode()
    assert "Advanced QGIS" in html
    assert "Geoskolan AB" in html
    assert "A draft" not in html


def test_an_empty_queue_says_so(client_for, rita) -> None:
    assert "No course type is waiting for review." in client_for(rita).get(QUEUE).content.decode()


def test_the_page_shows_the_course_type_and_its_material(client_for, rita, proposed) -> None:
    html = client_for(rita).get(page_of(proposed)).content.decode()

    assert "Advanced QGIS" in html
    assert "Print a map" in html
    assert "3.40 LTR" in html
    assert "slides.pdf" in html
    assert '<a href="https://example.org/exercises" rel="nofollow noopener">' in html
    assert 'name="outcome"' in html


def test_the_team_approves_it(
    client_for, rita, alice, proposed, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = review(client_for(rita), proposed, comment="Well structured.")

    assert response.status_code == 302
    assert response["Location"] == QUEUE
    proposed.refresh_from_db()
    assert proposed.status == CourseType.Status.APPROVED
    assert proposed.review_comment == "Well structured."
    assert [m.to for m in mail.outbox] == [[alice.email]]


def test_the_team_rejects_it_with_a_reason(client_for, rita, proposed) -> None:
    response = review(client_for(rita), proposed, outcome="reject", comment="Uses QGIS 2.18.")

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The course type has not been approved; the organisation has been told why."
    ]
    proposed.refresh_from_db()
    assert proposed.status == CourseType.Status.REJECTED


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"outcome": "reject", "comment": " "}, "Say why the course type is not approved."),
        ({"outcome": "maybe"}, "Select a valid choice."),
        ({"outcome": ""}, "This field is required."),
    ],
)
def test_bad_reviews_are_refused(client_for, rita, proposed, data, error) -> None:
    response = review(client_for(rita), proposed, **data)

    assert response.status_code == 400
    assert error in response.content.decode()
    proposed.refresh_from_db()
    assert proposed.status == CourseType.Status.PROPOSED


def test_a_reviewed_course_type_cannot_be_reviewed_again(client_for, rita, proposed) -> None:
    review(client_for(rita), proposed)

    page = client_for(rita).get(page_of(proposed))
    again = review(client_for(rita), proposed, outcome="reject", comment="No.")

    assert 'name="outcome"' not in page.content.decode()
    assert again.status_code == 200
    assert [str(m) for m in get_messages(again.wsgi_request)] == [
        "Only a proposed course type can be reviewed."
    ]
    proposed.refresh_from_db()
    assert proposed.status == CourseType.Status.APPROVED


def test_drafts_are_not_found(client_for, rita) -> None:
    draft = CourseTypeFactory(status=CourseType.Status.DRAFT)

    assert client_for(rita).get(page_of(draft)).status_code == 404


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "ugo", "paula", "tom"])
def test_only_the_team_reviews_course_types(request, client_for, proposed, persona) -> None:
    client = client_for(request.getfixturevalue(persona))

    assert client.get(QUEUE).status_code == 403
    assert client.get(page_of(proposed)).status_code == 403
    with assert_unchanged(proposed):
        assert review(client, proposed).status_code == 403
    proposed.refresh_from_db()
    assert proposed.status == CourseType.Status.PROPOSED


def test_a_team_member_never_reviews_her_own_organisations_course_type(
    client_for, rita, proposed
) -> None:
    MembershipFactory(user=rita, organisation=proposed.organisation, role=Membership.Role.TRAINER)

    assert list(client_for(rita).get(QUEUE).context["page_obj"]) == []
    with assert_unchanged(proposed):
        assert review(client_for(rita), proposed).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client_for, proposed) -> None:
    for address in (QUEUE, page_of(proposed)):
        response = client_for(None).get(address)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_queue_refuses_a_post(client_for, rita) -> None:
    with assert_unchanged(CourseType):
        assert client_for(rita).post(QUEUE).status_code == 405
