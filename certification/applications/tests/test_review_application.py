from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certification.accounts.tests.factories import UserFactory
from certification.applications import services
from certification.applications.models import Message, OpinionRequest, Status
from certification.applications.tests.factories import (
    ApplicationFactory,
    ContributionFactory,
    DecisionFactory,
    MessageFactory,
    OpinionRequestFactory,
    SnapshotFactory,
    UserGroupFactory,
    complete_application,
    in_community_review,
    submitted_application,
)
from certification.core.audit import record_event
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Membership
from certification.organisations.tests.factories import MembershipFactory
from certification.training.tests.factories import CourseMaterialFactory, CourseTypeFactory

pytestmark = pytest.mark.django_db


def page_of(application) -> str:
    return reverse("review:application", args=[application.code])


@pytest.fixture
def alices_application(alice, alice_org):
    return submitted_application(organisation=alice_org, status=Status.INITIAL_REVIEW)


def test_anonymous_visitors_are_sent_to_log_in(client_for, alices_application) -> None:
    response = client_for(None).get(page_of(alices_application))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "tom", "ugo"])
def test_people_who_do_not_review_it_get_a_404(request, client_for, alices_application, persona):
    response = client_for(request.getfixturevalue(persona)).get(page_of(alices_application))

    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["rita", "paula"])
def test_the_team_and_the_psc_can_read_it(request, client_for, alices_application, persona):
    response = client_for(request.getfixturevalue(persona)).get(page_of(alices_application))

    assert response.status_code == 200


def test_a_user_group_reviewer_reads_it_once_his_group_is_asked(client_for, ugo) -> None:
    application = in_community_review(groups=[UserGroupFactory(reviewers=[ugo])])

    assert client_for(ugo).get(page_of(application)).status_code == 200


def test_a_reviewer_from_the_applying_organisation_never_reviews_it(client_for, rita) -> None:
    application = submitted_application()
    MembershipFactory(
        user=rita, organisation=application.organisation, role=Membership.Role.TRAINER
    )

    assert client_for(rita).get(page_of(application)).status_code == 404


def test_drafts_and_unknown_codes_are_not_found(client_for, rita) -> None:
    draft = complete_application()

    assert client_for(rita).get(page_of(draft)).status_code == 404
    assert client_for(rita).get("/review/applications/APP-NOPE/").status_code == 404


def test_it_refuses_a_post(client_for, rita, alices_application) -> None:
    with assert_unchanged(alices_application):
        assert client_for(rita).post(page_of(alices_application)).status_code == 405


def test_it_shows_everything_that_was_submitted(client_for, rita) -> None:
    application = submitted_application(organisation__vat_number="SE556677889901")
    course_type = application.course_types.get()
    material = course_type.materials.exclude(file="").get()

    html = client_for(rita).get(page_of(application)).content.decode()

    assert application.organisation.legal_name in html
    assert "SE556677889901" in html
    assert "<strong>QGIS</strong> courses for municipalities" in html  # markdown
    assert "Translation of the QGIS manual" in html
    assert '<a href="https://example.org/evidence" rel="nofollow noopener">' in html
    assert 'href="javascript:' not in html
    assert "javascript:alert(&#x27;x&#x27;)" in html  # shown as text, not as a link
    assert course_type.title in html
    assert "Print a map" in html  # a learning outcome
    assert "3.40 LTR" in html
    assert "Swedish, English" in html
    material_url = reverse("applications:material", args=[application.code, material.public_id])
    assert f'href="{material_url}"' in html
    assert '<a href="https://example.org/exercises" rel="nofollow noopener">' in html


def test_it_shows_the_opinions_of_each_round(client_for, rita) -> None:
    application = submitted_application(status=Status.COMMUNITY_REVIEW, review_round=2)
    group = UserGroupFactory(name="QGIS Sverige")
    OpinionRequestFactory(
        application=application,
        user_group=group,
        round=1,
        verdict=OpinionRequest.Verdict.DO_NOT_RECOMMEND,
        reasons="The material was *outdated*.",
        given_at=timezone.now(),
        given_by_label="Ugo Usergroup",
    )
    OpinionRequestFactory(
        application=application, user_group=group, due_at=timezone.now() - timedelta(days=1)
    )

    html = client_for(rita).get(page_of(application)).content.decode()

    assert "Version 2 (current)" in html
    assert "Version 1" in html
    assert "Do not recommend" in html
    assert "The material was <em>outdated</em>." in html
    assert "Given by Ugo Usergroup" in html
    assert "Overdue" in html


def test_it_shows_the_decision(client_for, rita) -> None:
    decision = DecisionFactory(
        application=submitted_application(status=Status.APPROVED),
        votes_for=7,
        votes_against=1,
        abstentions=0,
    )

    html = client_for(rita).get(page_of(decision.application)).content.decode()

    assert "Decision of the PSC" in html
    assert "Strong contributions and good material." in html
    assert "Votes: 7 for, 1 against, 0 abstentions." in html


def test_it_shows_the_timeline_in_words(client_for, rita, paula) -> None:
    application = submitted_application()
    record_event("application.submitted", actor=None, target=application, data={"round": 1})
    record_event(
        "application.psc_review_started",
        actor=paula,
        target=application,
        data={"reason": "no_user_group"},
    )
    record_event("application.details_saved", actor=None, target=application)

    html = client_for(rita).get(page_of(application)).content.decode()

    assert "Submitted" in html
    assert "Version 1" in html
    assert "Sent to the PSC" in html
    assert "no user group covers the country" in html
    assert "Paula PSC" in html
    assert "Details saved" in html


def test_earlier_versions_stay_visible(client_for, rita) -> None:
    application = submitted_application(review_round=2)
    SnapshotFactory(application=application, round=1)
    SnapshotFactory(application=application, round=2, data={"training_activity": "Second."})

    html = client_for(rita).get(page_of(application)).content.decode()

    assert "Version 1, submitted on" in html
    assert "Version 2, submitted on" in html
    assert "The first description of our courses." in html
    assert "QGIS basics, first version" in html
    assert '<a href="https://example.org/first" rel="nofollow noopener">' in html
    assert 'href="javascript:' not in html


def test_it_shows_the_discussion_and_the_internal_notes(client_for, rita, alice, alice_org):
    application = submitted_application(organisation=alice_org)
    MessageFactory(application=application, author=alice, body="We updated **the slides**.")
    MessageFactory(
        application=application, author=rita, kind=Message.Kind.CHANGE_REQUEST, body="Add data."
    )
    MessageFactory(
        application=application,
        author=rita,
        kind=Message.Kind.INTERNAL_NOTE,
        body="Checked the <script>alert(1)</script> plugin.",
    )

    html = client_for(rita).get(page_of(application)).content.decode()

    assert "We updated <strong>the slides</strong>." in html
    assert "Change request" in html
    assert "Internal notes" in html
    assert "Checked the" in html
    assert "<script>alert(1)</script>" not in html


def test_the_team_sees_its_initial_review_actions_only(client_for, rita, alices_application):
    html = client_for(rita).get(page_of(alices_application)).content.decode()

    assert reverse("review:save_checklist", args=[alices_application.code]) in html
    assert reverse("review:send_to_community_review", args=[alices_application.code]) in html
    assert reverse("review:request_changes", args=[alices_application.code]) in html
    assert reverse("review:record_decision", args=[alices_application.code]) not in html
    assert reverse("review:start_initial_review", args=[alices_application.code]) not in html


def test_a_submitted_application_offers_to_start_the_review(client_for, rita) -> None:
    application = submitted_application(status=Status.SUBMITTED)

    html = client_for(rita).get(page_of(application)).content.decode()

    assert reverse("review:start_initial_review", args=[application.code]) in html
    assert reverse("review:request_changes", args=[application.code]) not in html


def test_the_psc_sees_the_decision_form_only_when_it_is_its_turn(client_for, paula) -> None:
    waiting = submitted_application(status=Status.PSC_REVIEW)
    earlier = submitted_application(status=Status.INITIAL_REVIEW)

    waiting_html = client_for(paula).get(page_of(waiting)).content.decode()
    earlier_html = client_for(paula).get(page_of(earlier)).content.decode()

    assert reverse("review:record_decision", args=[waiting.code]) in waiting_html
    assert reverse("review:request_changes", args=[waiting.code]) not in waiting_html
    assert reverse("review:record_decision", args=[earlier.code]) not in earlier_html
    assert reverse("review:save_checklist", args=[earlier.code]) not in earlier_html


def test_a_user_group_reviewer_sees_the_opinion_form_of_his_group_only(client_for, ugo):
    mine = UserGroupFactory(reviewers=[ugo], slug="mine")
    theirs = UserGroupFactory(slug="theirs")
    application = in_community_review(groups=[mine, theirs])

    html = client_for(ugo).get(page_of(application)).content.decode()

    assert reverse("review:give_opinion", args=[application.code, "mine"]) in html
    assert reverse("review:give_opinion", args=[application.code, "theirs"]) not in html
    assert reverse("review:request_changes", args=[application.code]) not in html
    assert reverse("review:invite_outside_reviewer", args=[application.code, "mine"]) not in html


def test_the_team_can_invite_an_outside_reviewer_for_each_awaited_opinion(client_for, rita):
    application = in_community_review(
        groups=[UserGroupFactory(slug="one"), UserGroupFactory(slug="two")]
    )

    html = client_for(rita).get(page_of(application)).content.decode()

    for slug in ("one", "two"):
        assert reverse("review:invite_outside_reviewer", args=[application.code, slug]) in html


def test_the_organisation_status_page_is_reachable_from_it(client_for, rita, alice_org) -> None:
    application = submitted_application(organisation=alice_org, status=Status.SUBMITTED)

    html = client_for(rita).get(page_of(application)).content.decode()

    assert reverse("review:organisation_status", args=[alice_org.slug]) in html


def _build(application, reviewer, *, team, times: int) -> None:
    """`times` of everything the reviewer page lists; the reviewer's own group is asked too.
    Outside reviewers are invited by `team`, the certification team."""
    OpinionRequestFactory(
        application=application, user_group=UserGroupFactory(reviewers=[reviewer])
    )
    for index in range(times):
        ContributionFactory(application=application)
        course_type = CourseTypeFactory(organisation=application.organisation)
        application.course_types.add(course_type)
        CourseMaterialFactory(course_type=course_type)
        awaited = OpinionRequestFactory(
            application=application, user_group=UserGroupFactory(reviewers=[UserFactory()])
        )
        OpinionRequestFactory(
            application=application,
            round=application.review_round - 1,
            verdict="recommend",
            reasons="Good.",
            given_at=timezone.now(),
            given_by=reviewer,
        )
        MessageFactory(application=application, author=reviewer)
        MessageFactory(application=application, author=reviewer, kind=Message.Kind.INTERNAL_NOTE)
        SnapshotFactory(application=application, round=index + 100)
        record_event("application.note_added", actor=reviewer, target=application)
        services.invite_outside_reviewer(
            awaited,
            by=team,
            email=f"guest{index}@example.net",
            name="Guest",
        )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("persona", ["rita", "ugo"])
def test_the_page_runs_a_fixed_number_of_queries(request, client_for, rita, persona) -> None:
    viewer = request.getfixturevalue(persona)
    few = in_community_review(groups=[], review_round=2)
    many = in_community_review(groups=[], review_round=2)
    _build(few, viewer, team=rita, times=2)
    _build(many, viewer, team=rita, times=20)
    if persona == "ugo":
        assert len(client_for(viewer).get(page_of(many)).context["opinion_forms"]) == 1
    DecisionFactory(application=ApplicationFactory(status=Status.APPROVED))

    client = client_for(viewer)
    client.get(page_of(few))  # warm the content type cache

    assert _queries(client, page_of(many)) == _queries(client, page_of(few))
