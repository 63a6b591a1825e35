"""User group reviewers give their group's opinion on the reviewer page."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from certification.applications.models import OpinionRequest, Status
from certification.applications.tests.factories import UserGroupFactory, in_community_review
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Membership
from certification.organisations.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sverige(ugo):
    return UserGroupFactory(name="QGIS Sverige", slug="sverige", reviewers=[ugo])


@pytest.fixture
def application(sverige, alice_org, alice):
    return in_community_review(groups=[sverige], organisation=alice_org)


def give(client, application, group: str = "sverige", **data: str):
    fields = {"verdict": "recommend", "reasons": "Active in our **community**.", **data}
    return client.post(
        reverse("review:give_opinion", args=[application.code, group]),
        {f"opinion-{group}-{key}": value for key, value in fields.items()},
    )


def test_a_reviewer_records_his_groups_opinion(
    client_for, ugo, rita, paula, application, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = give(client_for(ugo), application)

    assert response.status_code == 302
    opinion = OpinionRequest.objects.get()
    assert opinion.verdict == OpinionRequest.Verdict.RECOMMEND
    assert opinion.reasons == "Active in our **community**."
    assert opinion.given_by == ugo
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The opinion of QGIS Sverige has been recorded. Thank you."
    ]
    # The last awaited opinion hands the application to the PSC.
    application.refresh_from_db()
    assert application.status == Status.PSC_REVIEW
    recipients = {m.to[0] for m in mail.outbox}
    assert {rita.email, paula.email} <= recipients


def test_the_recorded_opinion_shows_on_the_page(client_for, ugo, rita, application) -> None:
    give(client_for(ugo), application, verdict="abstain", reasons="We do not *know* them.")

    html = client_for(rita).get(reverse("review:application", args=[application.code])).content
    html = html.decode()

    assert "Abstain" in html
    assert "We do not <em>know</em> them." in html
    assert "Given by Ugo Usergroup" in html


def test_the_other_opinions_are_still_awaited(client_for, ugo, sverige, alice_org) -> None:
    application = in_community_review(groups=[sverige, UserGroupFactory()])

    give(client_for(ugo), application)

    application.refresh_from_db()
    assert application.status == Status.COMMUNITY_REVIEW


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"verdict": "maybe"}, "Select a valid choice."),
        ({"verdict": ""}, "This field is required."),
        ({"reasons": "  "}, "This field is required."),
    ],
)
def test_an_opinion_needs_a_known_verdict_and_reasons(client_for, ugo, application, data, error):
    response = give(client_for(ugo), application, **data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not OpinionRequest.objects.get().is_given


def test_an_opinion_is_given_once(client_for, ugo, sverige) -> None:
    application = in_community_review(groups=[sverige, UserGroupFactory()])
    give(client_for(ugo), application)

    response = give(client_for(ugo), application, verdict="do_not_recommend")

    assert response.status_code == 403
    assert application.opinion_requests.get(user_group=sverige).verdict == "recommend"


def test_a_reviewer_cannot_give_another_groups_opinion(client_for, ugo, sverige) -> None:
    other = UserGroupFactory(slug="other")
    application = in_community_review(groups=[sverige, other])

    response = give(client_for(ugo), application, group="other")

    assert response.status_code == 403
    assert not application.opinion_requests.get(user_group=other).is_given


def test_a_reviewer_whose_group_was_not_asked_gets_a_404(client_for, ugo) -> None:
    application = in_community_review(groups=[UserGroupFactory(slug="other")])
    UserGroupFactory(slug="sverige", reviewers=[ugo])

    with assert_unchanged(application, *application.opinion_requests.all()):
        assert give(client_for(ugo), application).status_code == 404


def test_a_reviewer_from_the_applying_organisation_never_gives_an_opinion(
    client_for, ugo, application
) -> None:
    MembershipFactory(user=ugo, organisation=application.organisation, role=Membership.Role.TRAINER)

    assert give(client_for(ugo), application).status_code == 404
    assert not OpinionRequest.objects.get().is_given


@pytest.mark.parametrize("persona", ["rita", "paula"])
def test_the_team_and_the_psc_do_not_give_user_group_opinions(
    request, client_for, application, persona
) -> None:
    client = client_for(request.getfixturevalue(persona))

    with assert_unchanged(application, *application.opinion_requests.all()):
        response = give(client, application)

    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "tom"])
def test_others_get_a_404(request, client_for, application, persona) -> None:
    client = client_for(request.getfixturevalue(persona))

    with assert_unchanged(application, *application.opinion_requests.all()):
        response = give(client, application)

    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client_for, application) -> None:
    with assert_unchanged(application, *application.opinion_requests.all()):
        response = give(client_for(None), application)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_no_opinion_once_the_community_review_is_over(client_for, ugo, application) -> None:
    application.status = Status.PSC_REVIEW
    application.save()

    with assert_unchanged(application, *application.opinion_requests.all()):
        assert give(client_for(ugo), application).status_code == 403


def test_an_opinion_of_an_earlier_round_is_not_found(client_for, ugo, application) -> None:
    application.review_round = 2
    application.save()

    with assert_unchanged(application, *application.opinion_requests.all()):
        assert give(client_for(ugo), application).status_code == 404


def test_giving_an_opinion_refuses_a_get(client_for, ugo, application) -> None:
    with assert_unchanged(application, *application.opinion_requests.all()):
        response = client_for(ugo).get(
            reverse("review:give_opinion", args=[application.code, "sverige"])
        )

    assert response.status_code == 405


def test_the_reviewer_sees_the_form_until_the_opinion_is_given(client_for, ugo, application):
    page = reverse("review:application", args=[application.code])
    form_action = reverse("review:give_opinion", args=[application.code, "sverige"])

    assert form_action in client_for(ugo).get(page).content.decode()
    OpinionRequest.objects.update(verdict="recommend", reasons="x", given_at=timezone.now())
    assert form_action not in client_for(ugo).get(page).content.decode()
