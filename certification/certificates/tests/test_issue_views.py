"""Issuing from a course: choose attendees and kinds, check the cost, confirm; the preview."""

import re

import pytest
from django.test import Client

from certification.accounts.models import User
from certification.billing import ledger as billing
from certification.billing.models import CreditEntry
from certification.certificates.models import Certificate
from certification.certificates.tests.factories import (
    approved_course,
    attendees_of,
    give_credits,
    issue,
)
from certification.core.models import AuditEvent
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation
from certification.training.models import Course

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(alice_org: Organisation, bob: User) -> Course:
    return approved_course(alice_org, attendees=3, trainer_user=bob)


def url(course: Course, step: str = "") -> str:
    base = f"/dashboard/organisations/{course.organisation.slug}/courses/{course.public_id}/"
    return base + "certificates/" + step


def choice(course: Course, *picks: tuple[int, str]) -> dict[str, str]:
    """POST data choosing attendees by their position in the list, with a kind each."""
    attendees = attendees_of(course)
    data = {}
    for position, kind in picks:
        key = attendees[position].public_id.hex
        data[f"issue-{key}"] = "on"
        data[f"kind-{key}"] = kind
    return data


# --- Who may issue ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("bob", 403), ("carol", 404), ("rita", 403), ("tom", 404), ("ugo", 404)],
)
def test_only_owners_and_managers_issue(
    request: pytest.FixtureRequest, client_for, course: Course, persona: str, status: int
) -> None:
    client = client_for(request.getfixturevalue(persona))

    data = choice(course, (0, "completion"))

    assert client.get(url(course, "issue/")).status_code == status
    with assert_unchanged(course, Certificate, CreditEntry):
        assert client.post(url(course, "issue/review/"), data).status_code == status


@pytest.mark.parametrize("persona", ["bob", "carol", "rita", "tom"])
def test_nobody_else_can_confirm(
    request: pytest.FixtureRequest, client_for, course: Course, persona: str
) -> None:
    give_credits(course.organisation, 5)
    client = client_for(request.getfixturevalue(persona))

    with assert_unchanged(course, Certificate, CreditEntry):
        response = client.post(url(course, "issue/confirm/"), choice(course, (0, "completion")))

    assert response.status_code in (403, 404)
    assert not Certificate.objects.exists()


def test_anonymous_visitors_are_asked_to_log_in(client: Client, course: Course) -> None:
    for step in ("issue/", "preview/"):
        assert client.get(url(course, step))["Location"].startswith("/accounts/login/")
    for step in ("issue/review/", "issue/confirm/"):
        response = client.post(url(course, step), choice(course, (0, "completion")))
        assert response["Location"].startswith("/accounts/login/")
    assert not Certificate.objects.exists()


def test_a_course_of_another_organisation_is_not_found(
    client_for, alice: User, carol_org: Organisation
) -> None:
    foreign = approved_course(carol_org, attendees=1)
    path = f"/dashboard/organisations/geoskolan/courses/{foreign.public_id}/certificates/issue/"

    assert client_for(alice).get(path).status_code == 404


@pytest.mark.parametrize("step", ["issue/review/", "issue/confirm/"])
def test_the_steps_that_post_refuse_get(client_for, alice: User, course: Course, step: str) -> None:
    with assert_unchanged(course, Certificate, CreditEntry):
        assert client_for(alice).get(url(course, step)).status_code == 405


# --- Choosing -----------------------------------------------------------------------------


def test_it_lists_the_attendees_without_a_certificate_to_choose_from(
    client_for, alice: User, course: Course
) -> None:
    first, second, third = attendees_of(course)
    [certificate] = issue(course, [first], by=alice)

    content = client_for(alice).get(url(course, "issue/")).content.decode()

    assert f'name="issue-{first.public_id.hex}"' not in content
    assert certificate.code in content
    for attendee in (second, third):
        assert f'name="issue-{attendee.public_id.hex}"' in content
        assert f'name="kind-{attendee.public_id.hex}"' in content
        assert f'<label for="id_issue-{attendee.public_id.hex}">{attendee.name}</label>' in content
    assert 'name="kind_for_all"' in content
    assert "checked" not in content


def test_everyone_can_be_chosen_at_once_without_javascript(
    client_for, alice: User, course: Course
) -> None:
    content = client_for(alice).get(url(course, "issue/") + "?all=1").content.decode()

    assert content.count("checked") == 3


def test_it_says_when_everyone_already_has_a_certificate(
    client_for, alice: User, course: Course
) -> None:
    issue(course, by=alice)

    content = client_for(alice).get(url(course, "issue/")).content.decode()

    assert "Every attendee of this course already has a valid certificate." in content
    assert "issue/review/" not in content


def test_it_sends_uncertified_organisations_back_with_the_reason(
    client_for, alice: User, course: Course, alice_org: Organisation
) -> None:
    alice_org.status = Organisation.Status.SUSPENDED
    alice_org.save(update_fields=["status"])

    client = client_for(alice)

    for response in (
        client.get(url(course, "issue/"), follow=True),
        client.post(url(course, "issue/review/"), choice(course, (0, "completion")), follow=True),
    ):
        assert response.redirect_chain[-1][0] == url(course)
        assert "Only a certified organisation issues certificates." in response.content.decode()


def test_courses_of_a_type_not_approved_issue_nothing(
    client_for, alice: User, alice_org: Organisation
) -> None:
    course = approved_course(alice_org, attendees=1, course_type_status="retired")
    give_credits(alice_org, 1)
    client = client_for(alice)

    response = client.get(url(course, "issue/"), follow=True)
    assert "only for courses of an approved type" in response.content.decode()

    response = client.post(url(course, "issue/confirm/"), choice(course, (0, "completion")))
    assert "only for courses of an approved type" in response.content.decode()
    assert not Certificate.objects.exists()


# --- Checking the cost --------------------------------------------------------------------


def test_the_review_shows_the_credits_needed_the_balance_and_what_remains(
    client_for, alice: User, course: Course
) -> None:
    give_credits(course.organisation, 5)
    data = choice(course, (0, "completion"), (2, "attendance"))

    response = client_for(alice).post(url(course, "issue/review/"), data)

    assert response.status_code == 200
    context = response.context
    assert (context["needed"], context["balance"], context["remaining"]) == (2, 5, 3)
    assert context["enough"] is True
    content = response.content.decode()
    assert "Issue 2 certificates" in content
    assert "Attendee 001 — Certificate of completion" in content
    assert "Attendee 003 — Certificate of attendance" in content
    for name, value in data.items():
        assert f'<input type="hidden" name="{name}" value="{value}">' in content
    assert '<input type="hidden" name="expected" value="2">' in content
    assert not Certificate.objects.exists()


def test_the_review_says_when_credits_are_missing_and_how_to_get_them(
    client_for, alice: User, course: Course
) -> None:
    give_credits(course.organisation, 1)

    response = client_for(alice).post(
        url(course, "issue/review/"), choice(course, (0, "completion"), (1, "completion"))
    )

    content = response.content.decode()
    assert response.context["enough"] is False
    assert response.context["missing"] == 1
    assert "There are not enough credits: you can spend 1, so 1 more credit is needed." in content
    assert 'href="mailto:certification@qgis.org"' in content
    assert 'href="/dashboard/organisations/geoskolan/billing/"' in content
    assert "issue/confirm/" not in content


def test_the_review_counts_the_allowance(client_for, alice: User, course: Course, tom) -> None:
    billing.set_allowance(course.organisation, by=tom, allowance=5)

    response = client_for(alice).post(
        url(course, "issue/review/"), choice(course, (0, "completion"), (1, "completion"))
    )

    assert response.context["enough"] is True
    assert response.context["remaining"] == -2
    assert "This uses 2 credits of your allowance" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose at least one attendee."),
        ({"kind_for_all": "honours"}, "Select a valid choice."),
    ],
)
def test_the_review_refuses_bad_choices(
    client_for, alice: User, course: Course, data: dict[str, str], message: str
) -> None:
    response = client_for(alice).post(url(course, "issue/review/"), data)

    assert response.status_code == 200
    assert response.templates[0].name == "certificates/issue_select.html"
    assert message in response.content.decode()


def test_a_kind_that_does_not_exist_is_refused(client_for, alice: User, course: Course) -> None:
    data = choice(course, (0, "honours"))

    response = client_for(alice).post(url(course, "issue/review/"), data)

    assert "Select a valid choice. honours is not one of the available choices." in (
        response.content.decode()
    )


def test_set_all_to_overrides_each_kind(client_for, alice: User, course: Course) -> None:
    give_credits(course.organisation, 5)
    data = choice(course, (0, "completion"), (1, "completion")) | {"kind_for_all": "attendance"}

    response = client_for(alice).post(url(course, "issue/review/"), data)

    assert [kind for _attendee, kind in response.context["form"].selections] == [
        "attendance",
        "attendance",
    ]


def test_changing_the_selection_keeps_what_was_chosen(
    client_for, alice: User, course: Course
) -> None:
    first = attendees_of(course)[0]
    data = choice(course, (0, "attendance"))

    content = client_for(alice).post(url(course, "issue/"), data).content.decode()

    assert f'name="issue-{first.public_id.hex}" id="id_issue-{first.public_id.hex}" checked' in (
        content
    )
    assert '<option value="attendance" selected>' in content
    assert "errorlist" not in content


# --- Confirming ---------------------------------------------------------------------------


def test_confirming_issues_the_certificates_and_spends_the_credits(
    client_for, alice: User, course: Course
) -> None:
    give_credits(course.organisation, 5)
    first, _second, third = attendees_of(course)
    data = choice(course, (0, "completion"), (2, "attendance")) | {"expected": "2"}

    response = client_for(alice).post(url(course, "issue/confirm/"), data, follow=True)

    assert response.redirect_chain == [(url(course), 302)]
    assert "2 certificates are issued." in response.content.decode()
    issued = {c.attendee_id: c for c in Certificate.objects.all()}
    assert issued.keys() == {first.pk, third.pk}
    assert issued[first.pk].kind == "completion"
    assert issued[third.pk].kind == "attendance"
    assert issued[first.pk].issued_by == alice
    assert billing.balance(course.organisation) == 3
    spent = CreditEntry.objects.filter(kind=CreditEntry.Kind.ISSUANCE)
    assert sorted(spent.values_list("certificate_code", flat=True)) == sorted(
        c.code for c in issued.values()
    )
    assert AuditEvent.objects.filter(action="certificate.issued").count() == 2


def test_it_refuses_to_issue_without_enough_credits(
    client_for, alice: User, course: Course
) -> None:
    give_credits(course.organisation, 1)
    data = choice(course, (0, "completion"), (1, "completion"))

    response = client_for(alice).post(url(course, "issue/confirm/"), data)

    assert response.status_code == 200
    assert "2 credits are needed, and 1 are available." in response.content.decode()
    assert not Certificate.objects.exists()
    assert billing.balance(course.organisation) == 1


def test_it_refuses_to_issue_a_second_certificate_to_the_same_attendee(
    client_for, alice: User, course: Course
) -> None:
    first = attendees_of(course)[0]
    issue(course, [first], by=alice)
    give_credits(course.organisation, 5)
    data = choice(course, (0, "completion"), (1, "completion"))

    response = client_for(alice).post(url(course, "issue/confirm/"), data)

    content = response.content.decode()
    assert "These attendees already have a certificate for this course: Attendee 001." in content
    assert Certificate.objects.count() == 1
    assert billing.balance(course.organisation) == 5


def test_it_asks_to_look_again_when_the_list_changed_since_the_review(
    client_for, alice: User, course: Course
) -> None:
    give_credits(course.organisation, 5)
    data = choice(course, (0, "completion"), (1, "completion")) | {"expected": "3"}

    response = client_for(alice).post(url(course, "issue/confirm/"), data)

    assert "The list of attendees has changed. Check the selection again." in (
        response.content.decode()
    )
    assert not Certificate.objects.exists()


def test_attendees_of_another_course_cannot_be_slipped_in(
    client_for, alice: User, course: Course, alice_org: Organisation
) -> None:
    other = approved_course(alice_org, attendees=1)
    give_credits(alice_org, 5)
    data = choice(other, (0, "completion"))

    response = client_for(alice).post(url(course, "issue/confirm/"), data)

    assert "Choose at least one attendee." in response.content.decode()
    assert not Certificate.objects.exists()


# --- Preview ------------------------------------------------------------------------------


def test_the_preview_is_a_pdf_with_the_chosen_name(client_for, alice: User, course: Course) -> None:
    attendee = attendees_of(course)[0]

    response = client_for(alice).get(
        url(course, "preview/"), {"attendee": attendee.public_id.hex, "kind": "attendance"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b"%PDF")
    assert not Certificate.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"attendee": "not-a-uuid", "kind": "completion"},
        {"attendee": "00000000000000000000000000000000", "kind": "completion"},
    ],
)
def test_the_preview_needs_an_attendee_of_the_course(
    client_for, alice: User, course: Course, query: dict[str, str]
) -> None:
    assert client_for(alice).get(url(course, "preview/"), query).status_code == 404


def test_the_preview_refuses_a_bad_kind(client_for, alice: User, course: Course) -> None:
    attendee = attendees_of(course)[0]
    query = {"attendee": attendee.public_id.hex, "kind": "honours"}

    assert client_for(alice).get(url(course, "preview/"), query).status_code == 404


def test_trainers_do_not_preview(client_for, bob: User, course: Course) -> None:
    attendee = attendees_of(course)[0]
    query = {"attendee": attendee.public_id.hex, "kind": "completion"}

    assert client_for(bob).get(url(course, "preview/"), query).status_code == 403


# --- Strict content security policy -------------------------------------------------------

INLINE = re.compile(r"<script(?![^>]*\ssrc=)|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def test_the_pages_have_no_inline_scripts_or_styles(
    client_for, alice: User, course: Course
) -> None:
    client = client_for(alice)
    give_credits(course.organisation, 1)
    data = choice(course, (0, "completion"))
    [certificate] = issue(course, attendees_of(course)[1:2], by=alice)
    code_url = f"/dashboard/organisations/geoskolan/certificates/{certificate.code}/"

    for response in (
        client.get(url(course)),
        client.get(url(course, "progress/")),
        client.get(url(course, "issue/")),
        client.post(url(course, "issue/review/"), data),
        client.get(code_url + "revoke/"),
        client.get(code_url + "reissue/"),
    ):
        assert response.status_code == 200
        assert not INLINE.search(response.content.decode())
