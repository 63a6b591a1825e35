from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certification.applications.models import Application, Status
from certification.applications.tests.factories import (
    ApplicationFactory,
    OpinionRequestFactory,
    UserGroupFactory,
)
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Membership
from certification.organisations.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("review:queue")


def _codes(response) -> set[str]:
    return {application.code for application in response.context["page_obj"]}


def test_anonymous_visitors_are_sent_to_log_in(client_for) -> None:
    response = client_for(None).get(QUEUE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "tom"])
def test_people_without_a_review_role_are_refused(request, client_for, persona) -> None:
    response = client_for(request.getfixturevalue(persona)).get(QUEUE)

    assert response.status_code == 403


def test_it_refuses_a_post(client_for, rita) -> None:
    with assert_unchanged(Application):
        assert client_for(rita).post(QUEUE).status_code == 405


def test_the_certification_team_sees_what_awaits_the_initial_review(client_for, rita) -> None:
    waiting = [
        ApplicationFactory(status=Status.SUBMITTED),
        ApplicationFactory(status=Status.INITIAL_REVIEW),
        ApplicationFactory(status=Status.CHANGES_REQUESTED),
    ]
    elsewhere = [
        ApplicationFactory(status=Status.DRAFT),
        ApplicationFactory(status=Status.COMMUNITY_REVIEW),
        ApplicationFactory(status=Status.APPROVED),
    ]

    response = client_for(rita).get(QUEUE)

    assert response.status_code == 200
    assert response.context["chosen"].key == "team"
    assert _codes(response) == {a.code for a in waiting}
    assert elsewhere[0].code not in response.content.decode()


def test_the_team_can_list_every_open_application_and_the_closed_ones(client_for, rita) -> None:
    draft = ApplicationFactory(status=Status.DRAFT)
    community = ApplicationFactory(status=Status.COMMUNITY_REVIEW)
    psc = ApplicationFactory(status=Status.PSC_REVIEW)
    approved = ApplicationFactory(status=Status.APPROVED)

    open_queue = client_for(rita).get(QUEUE, {"queue": "open"})
    closed_queue = client_for(rita).get(QUEUE, {"queue": "closed"})

    assert _codes(open_queue) == {community.code, psc.code}
    assert _codes(closed_queue) == {approved.code}
    assert draft.code not in open_queue.content.decode() + closed_queue.content.decode()


def test_the_psc_sees_what_awaits_its_decision(client_for, paula) -> None:
    waiting = ApplicationFactory(status=Status.PSC_REVIEW)
    ApplicationFactory(status=Status.SUBMITTED)

    response = client_for(paula).get(QUEUE)

    assert response.context["chosen"].key == "psc"
    assert _codes(response) == {waiting.code}
    assert [q.key for q in response.context["queues"]] == ["psc", "open", "closed"]


def test_a_queue_of_another_role_falls_back_to_ones_own(client_for, paula) -> None:
    ApplicationFactory(status=Status.SUBMITTED)

    response = client_for(paula).get(QUEUE, {"queue": "team"})

    assert response.context["chosen"].key == "psc"
    assert _codes(response) == set()


def test_reviewers_never_see_the_applications_of_their_own_organisation(client_for, rita):
    own = ApplicationFactory(status=Status.SUBMITTED)
    MembershipFactory(user=rita, organisation=own.organisation, role=Membership.Role.TRAINER)
    other = ApplicationFactory(status=Status.SUBMITTED)

    response = client_for(rita).get(QUEUE)

    assert _codes(response) == {other.code}


def test_user_group_reviewers_see_the_opinions_their_groups_owe(client_for, ugo) -> None:
    group = UserGroupFactory(reviewers=[ugo])
    owed = OpinionRequestFactory(user_group=group)
    overdue = OpinionRequestFactory(user_group=group, due_at=timezone.now() - timedelta(days=1))
    OpinionRequestFactory(user_group=group, given_at=timezone.now(), verdict="recommend")
    OpinionRequestFactory()  # another group's
    stale = OpinionRequestFactory(user_group=group)  # asked in a round that has ended
    stale.application.review_round = 2
    stale.application.save()

    response = client_for(ugo).get(QUEUE)

    assert response.context["chosen"].key == "opinions"
    assert list(response.context["page_obj"]) == [overdue, owed]
    html = response.content.decode()
    assert 'class="row-overdue"' in html
    assert html.count("Overdue") == 1
    assert stale.application.code not in html


def test_a_reviewer_is_not_asked_about_his_own_organisation(client_for, ugo) -> None:
    group = UserGroupFactory(reviewers=[ugo])
    own = OpinionRequestFactory(user_group=group)
    MembershipFactory(user=ugo, organisation=own.application.organisation)

    response = client_for(ugo).get(QUEUE)

    assert list(response.context["page_obj"]) == []
    assert "No opinion is awaited" in response.content.decode()


def test_overdue_community_reviews_are_highlighted(client_for, rita) -> None:
    late = ApplicationFactory(
        status=Status.COMMUNITY_REVIEW, community_due_at=timezone.now() - timedelta(days=2)
    )
    OpinionRequestFactory(application=late)

    response = client_for(rita).get(QUEUE, {"queue": "open"})

    html = response.content.decode()
    assert 'class="row-overdue"' in html
    assert "0 of 1 given" in html


def test_it_filters_by_state_and_country(client_for, rita) -> None:
    swedish = ApplicationFactory(status=Status.SUBMITTED, organisation__country="SE")
    norwegian = ApplicationFactory(status=Status.SUBMITTED, organisation__country="NO")
    in_review = ApplicationFactory(status=Status.INITIAL_REVIEW, organisation__country="NO")

    by_country = client_for(rita).get(QUEUE, {"queue": "team", "country": "NO"})
    by_state = client_for(rita).get(QUEUE, {"queue": "team", "status": "submitted"})
    both = client_for(rita).get(QUEUE, {"status": "initial_review", "country": "NO"})

    assert _codes(by_country) == {norwegian.code, in_review.code}
    assert _codes(by_state) == {swedish.code, norwegian.code}
    assert _codes(both) == {in_review.code}
    assert '<option value="NO"' in by_country.content.decode()


def test_unknown_filter_values_are_ignored(client_for, rita) -> None:
    application = ApplicationFactory(status=Status.SUBMITTED)

    response = client_for(rita).get(QUEUE, {"queue": "nope", "status": "approved", "country": "XX"})

    assert response.status_code == 200
    assert _codes(response) == {application.code}


def test_an_empty_queue_says_so(client_for, rita) -> None:
    response = client_for(rita).get(QUEUE)

    assert "Nothing to do here right now." in response.content.decode()


def test_filters_that_match_nothing_say_so(client_for, rita) -> None:
    ApplicationFactory(status=Status.SUBMITTED, organisation__country="SE")

    response = client_for(rita).get(QUEUE, {"status": "changes_requested"})

    assert "Nothing matches these filters." in response.content.decode()


def test_it_shows_25_applications_a_page_and_keeps_the_filters(client_for, rita) -> None:
    ApplicationFactory.create_batch(30, status=Status.SUBMITTED)

    first = client_for(rita).get(QUEUE, {"status": "submitted"})
    second = client_for(rita).get(QUEUE, {"status": "submitted", "page": 2})

    assert len(first.context["page_obj"]) == 25
    assert len(second.context["page_obj"]) == 5
    assert "status=submitted&amp;page=2" in first.content.decode()


def _queries(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


@pytest.mark.parametrize("queue", ["team", "open"])
def test_the_application_queues_run_a_fixed_number_of_queries(client_for, rita, queue) -> None:
    client = client_for(rita)
    for status in (Status.SUBMITTED, Status.COMMUNITY_REVIEW):
        OpinionRequestFactory(application=ApplicationFactory(status=status))
    few = _queries(client, QUEUE, {"queue": queue})

    for index in range(20):
        application = ApplicationFactory(
            status=[Status.SUBMITTED, Status.COMMUNITY_REVIEW][index % 2],
            organisation__country=["SE", "NO", "FI"][index % 3],
        )
        OpinionRequestFactory.create_batch(2, application=application)

    assert _queries(client, QUEUE, {"queue": queue}) == few


def test_the_opinion_queue_runs_a_fixed_number_of_queries(client_for, ugo) -> None:
    client = client_for(ugo)
    group = UserGroupFactory(reviewers=[ugo])
    OpinionRequestFactory(user_group=group)
    few = _queries(client, QUEUE, {})

    OpinionRequestFactory.create_batch(20, user_group=group)

    assert _queries(client, QUEUE, {}) == few
