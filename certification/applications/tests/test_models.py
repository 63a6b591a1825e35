"""The business facts of applications and opinions, each written once on the models."""

from datetime import timedelta

import pytest
from django.utils import timezone

from certification.applications.models import Application, OpinionRequest, Status
from certification.applications.tests.factories import OpinionRequestFactory, in_community_review

pytestmark = pytest.mark.django_db


def test_the_status_sets_cover_every_state_once() -> None:
    assert sorted(Status.open() + Status.closed()) == sorted(Status)
    assert set(Status.editable()) <= set(Status.open())
    assert set(Status.review_steps()) <= set(Status.open_past_draft())
    assert Status.DRAFT not in Status.open_past_draft()
    assert set(Status.decided()) <= set(Status.closed())


def test_an_opinion_is_awaited_only_in_the_community_review_under_way() -> None:
    application = in_community_review(groups=[], review_round=2)
    current = OpinionRequestFactory(application=application, round=2)
    earlier = OpinionRequestFactory(application=application, round=1)
    given = OpinionRequestFactory(
        application=application, round=2, verdict="recommend", given_at=timezone.now()
    )

    awaited = set(OpinionRequest.objects.awaited())
    assert awaited == {current}
    assert [r.is_awaited for r in (current, earlier, given)] == [True, False, False]

    Application.objects.filter(pk=application.pk).update(status=Status.PSC_REVIEW)
    current.refresh_from_db()
    assert not OpinionRequest.objects.awaited().exists()
    assert not current.is_awaited


def test_an_opinion_is_overdue_once_its_due_date_passes_without_it() -> None:
    now = timezone.now()
    late = OpinionRequestFactory(due_at=now - timedelta(hours=1))
    on_time = OpinionRequestFactory(due_at=now + timedelta(hours=1))
    answered = OpinionRequestFactory(
        due_at=now - timedelta(hours=1), verdict="abstain", given_at=now - timedelta(days=1)
    )

    assert set(OpinionRequest.objects.overdue(now)) == {late}
    assert [r.overdue_at(now) for r in (late, on_time, answered)] == [True, False, False]
    assert late.is_overdue


def test_the_community_review_is_overdue_when_its_month_has_passed() -> None:
    application = in_community_review(groups=[])
    due = application.community_due_at
    assert due is not None

    assert not application.opinions_overdue(due - timedelta(minutes=1))
    assert application.opinions_overdue(due + timedelta(minutes=1))
    assert list(Application.objects.opinions_overdue(due + timedelta(minutes=1))) == [application]


def test_the_most_urgent_reminder_due_goes_out_once(settings) -> None:
    settings.OPINION_REMINDER_DAYS = [7, 1]
    application = in_community_review(groups=[])
    opinion_request = OpinionRequestFactory(
        application=application, due_at=application.community_due_at
    )
    due = opinion_request.due_at

    assert opinion_request.reminder_due(due - timedelta(days=8)) is None
    assert opinion_request.reminder_due(due - timedelta(days=6)) == 7
    assert opinion_request.reminder_due(due - timedelta(hours=5)) == 1
    opinion_request.reminders_sent = [1, 7]
    assert opinion_request.reminder_due(due - timedelta(hours=5)) is None
    assert opinion_request.reminder_due(due + timedelta(hours=1)) is None
