"""An outside reviewer gives one opinion through a signed link, without an account."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from certification.applications import services
from certification.applications.models import OpinionRequest, Status
from certification.applications.tests.factories import (
    MessageFactory,
    UserGroupFactory,
    in_community_review,
)
from certification.core.tests.assertions import assert_unchanged

pytestmark = pytest.mark.django_db


@pytest.fixture
def application():
    return in_community_review(groups=[UserGroupFactory(name="QGIS Sverige")])


@pytest.fixture
def invitation(application, rita):
    return services.invite_outside_reviewer(
        application.opinion_requests.get(), by=rita, email="olga@example.net", name="Olga Outside"
    )


@pytest.fixture
def link(invitation) -> str:
    return reverse("review:invited_opinion", args=[services.invitation_token(invitation)])


def send(client, link: str, **data: str):
    return client.post(link, {"verdict": "recommend", "reasons": "A fine course.", **data})


def test_the_link_shows_what_was_submitted_without_logging_in(client, application, link):
    course_type = application.course_types.get()

    response = client.get(link)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Hello Olga Outside" in html
    assert "QGIS Sverige" in html
    assert application.organisation.legal_name in html
    assert "<strong>QGIS</strong> courses for municipalities" in html
    assert "Translation of the QGIS manual" in html
    assert '<a href="https://example.org/evidence" rel="nofollow noopener">' in html
    assert course_type.title in html
    assert "slides.pdf" in html  # the file's name, not a download
    assert "/materials/" not in html
    assert '<a href="https://example.org/exercises" rel="nofollow noopener">' in html
    assert 'name="robots" content="noindex, nofollow"' in html
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_it_never_shows_the_discussion_or_the_internal_notes(client, application, link, rita):
    MessageFactory(application=application, author=rita, body="A comment to the applicant.")
    MessageFactory(application=application, author=rita, kind="internal_note", body="Secret note.")

    html = client.get(link).content.decode()

    assert "Secret note." not in html
    assert "A comment to the applicant." not in html


def test_the_outside_reviewer_gives_the_groups_opinion_once(
    client, application, link, rita, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, link)

    assert response.status_code == 302
    assert response["Location"] == reverse("review:invited_opinion_thanks")
    opinion = OpinionRequest.objects.get()
    assert opinion.verdict == "recommend"
    assert opinion.given_by is None
    assert opinion.given_by_label == "Olga Outside <olga@example.net>"
    assert rita.email in {m.to[0] for m in mail.outbox}
    application.refresh_from_db()
    assert application.status == Status.PSC_REVIEW
    assert client.get(response["Location"]).status_code == 200


def test_the_link_no_longer_works_once_used(client, link) -> None:
    send(client, link)

    again = send(client, link, verdict="do_not_recommend")

    assert again.status_code == 404
    assert "This link is invalid or expired" in again.content.decode()
    assert client.get(link).status_code == 404
    assert OpinionRequest.objects.get().verdict == "recommend"


def test_a_forged_link_is_invalid(client, link) -> None:
    forged = link.replace("/opinion/", "/opinion/x")

    response = client.get(forged)

    assert response.status_code == 404
    assert "This link is invalid or expired" in response.content.decode()
    assert client.get(reverse("review:invited_opinion", args=["nonsense"])).status_code == 404


def test_an_expired_invitation_is_invalid(client, invitation, link) -> None:
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save()

    assert client.get(link).status_code == 404
    assert send(client, link).status_code == 404
    assert not OpinionRequest.objects.get().is_given


def test_an_old_link_is_invalid_after_its_signature_expires(client, link, settings) -> None:
    later = timezone.now() + timedelta(days=settings.REVIEWER_INVITATION_DAYS + 1)

    with time_machine.travel(later, tick=False):
        assert client.get(link).status_code == 404


def test_the_link_closes_when_the_community_review_ends(
    client, application, invitation, link
) -> None:
    application.status = Status.PSC_REVIEW
    application.save()

    assert client.get(link).status_code == 404
    with assert_unchanged(application, invitation, *application.opinion_requests.all()):
        assert send(client, link).status_code == 404


def test_the_link_closes_when_a_group_member_answered_first(client, link, ugo) -> None:
    OpinionRequest.objects.update(verdict="abstain", reasons="x", given_at=timezone.now())

    assert client.get(link).status_code == 404


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"verdict": "maybe"}, "Select a valid choice."),
        ({"reasons": ""}, "This field is required."),
    ],
)
def test_an_opinion_needs_a_known_verdict_and_reasons(client, link, data, error) -> None:
    response = send(client, link, **data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not OpinionRequest.objects.get().is_given
    assert client.get(link).status_code == 200  # still usable


def test_a_logged_in_person_uses_the_link_the_same_way(client_for, carol, link) -> None:
    assert send(client_for(carol), link).status_code == 302
    assert OpinionRequest.objects.get().given_by is None


def test_it_accepts_only_get_and_post(client, application, invitation, link) -> None:
    with assert_unchanged(application, invitation, *application.opinion_requests.all()):
        assert client.put(link).status_code == 405
