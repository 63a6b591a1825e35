import pytest
from django.test import Client

from certification.accounts.models import User
from certification.core.models import AuditEvent
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation
from certification.training.models import CourseType
from certification.training.tests.factories import CourseMaterialFactory, CourseTypeFactory

pytestmark = pytest.mark.django_db

LIST = "/dashboard/organisations/geoskolan/course-types/"
NEW = LIST + "new/"
VALID = {
    "title": "QGIS for municipalities",
    "description": "Planning data in QGIS.",
    "learning_outcomes": "Load the municipal data\nMake a planning map",
    "hours": "16",
    "qgis_version": "3.40 LTR",
    "languages": ["sv", "fi"],
}


def detail(course_type: CourseType) -> str:
    return f"{LIST}{course_type.pk}/"


def edit(course_type: CourseType) -> str:
    return f"{LIST}{course_type.pk}/edit/"


# --- The list ----------------------------------------------------------------------------


def test_it_lists_the_course_types_with_their_status(
    client_for, alice: User, alice_org: Organisation
) -> None:
    CourseTypeFactory.create(organisation=alice_org, title="Approved one", status="approved")
    CourseTypeFactory.create(organisation=alice_org, title="Proposed one", status="proposed")
    CourseTypeFactory.create(organisation=alice_org, title="Draft one", status="draft")
    CourseTypeFactory.create(
        organisation=alice_org,
        title="Rejected one",
        status="rejected",
        review_comment="The material is for QGIS 2.18.",
    )

    response = client_for(alice).get(LIST)

    assert response.status_code == 200
    content = response.content.decode()
    for status, label in [
        ("approved", "Approved"),
        ("proposed", "Proposed"),
        ("draft", "Draft"),
        ("rejected", "Rejected"),
    ]:
        assert f'<span class="badge badge-{status}">{label}</span>' in content
    assert "The material is for QGIS 2.18." in content
    assert f'href="{NEW}"' in content


def test_it_shows_nothing_of_other_organisations(
    client_for, alice: User, carol_org: Organisation
) -> None:
    CourseTypeFactory.create(organisation=carol_org, title="Carol's course")

    assert "Carol" not in client_for(alice).get(LIST).content.decode()


@pytest.mark.parametrize("persona", ["bob", "rita"])
def test_trainers_and_the_certification_team_read_the_list(
    client_for, alice_org: Organisation, persona, request
) -> None:
    CourseTypeFactory.create(organisation=alice_org, title="QGIS basics")

    response = client_for(request.getfixturevalue(persona)).get(LIST)

    assert response.status_code == 200
    assert "QGIS basics" in response.content.decode()
    assert f'href="{NEW}"' not in response.content.decode()


@pytest.mark.parametrize("persona", ["carol", "ugo", "tom"])
def test_people_outside_the_organisation_get_a_404(
    client_for, alice_org: Organisation, persona, request
) -> None:
    assert client_for(request.getfixturevalue(persona)).get(LIST).status_code == 404


def test_anonymous_visitors_are_asked_to_log_in(client: Client, alice_org: Organisation) -> None:
    assert client.get(LIST)["Location"].startswith("/accounts/login/")


def test_an_applicant_cannot_create_course_types_here(
    client_for, alice: User, alice_org: Organisation
) -> None:
    alice_org.status = Organisation.Status.APPLICANT
    alice_org.save()

    content = client_for(alice).get(LIST).content.decode()

    assert f'href="{NEW}"' not in content
    assert "Applicants add their course types to their application." in content


def test_the_list_costs_the_same_queries_for_ten_times_the_course_types(
    client_for, alice: User, alice_org: Organisation, django_assert_num_queries
) -> None:
    client = client_for(alice)

    def add(count: int) -> None:
        for _ in range(count):
            course_type = CourseTypeFactory.create(organisation=alice_org)
            CourseMaterialFactory.create_batch(2, course_type=course_type, link=True)

    add(2)
    client.get(LIST)
    with django_assert_num_queries(6) as few:
        client.get(LIST)
    add(18)

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(LIST)

    assert response.content.decode().count("2 items") == 20


# --- Creating ----------------------------------------------------------------------------


def test_an_owner_creates_a_draft(client_for, alice: User, alice_org: Organisation) -> None:
    response = client_for(alice).post(NEW, VALID)

    course_type = CourseType.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(course_type)
    assert course_type.organisation == alice_org
    assert course_type.status == CourseType.Status.DRAFT
    assert course_type.languages == ["sv", "fi"]
    assert course_type.hours == 16
    assert AuditEvent.objects.filter(action="course_type.created", actor=alice).exists()


def test_a_manager_creates_a_draft(client_for, maria: User) -> None:
    assert client_for(maria).post(NEW, VALID).status_code == 302
    assert CourseType.objects.count() == 1


def test_the_form_offers_the_languages_by_name(client_for, alice: User) -> None:
    content = client_for(alice).get(NEW).content.decode()

    assert "<legend>Languages:</legend>" in content
    assert 'value="sv"' in content
    assert "Swedish" in content


def test_a_status_sent_with_the_form_is_ignored(client_for, alice: User) -> None:
    client_for(alice).post(NEW, {**VALID, "status": "approved"})

    assert CourseType.objects.get().status == CourseType.Status.DRAFT


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"title": ""}, "This field is required."),
        ({"hours": "0"}, "greater than or equal to 1"),
        ({"hours": "501"}, "less than or equal to 500"),
        ({"languages": []}, "This field is required."),
        ({"languages": ["xx"]}, "Select a valid choice. xx is not one of the available choices."),
        ({"qgis_version": "Q" * 41}, "at most 40 characters"),
    ],
)
def test_it_refuses_bad_input(client_for, alice: User, changes, error) -> None:
    response = client_for(alice).post(NEW, {**VALID, **changes})

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not CourseType.objects.exists()


def test_a_trainer_cannot_create(client_for, bob: User) -> None:
    assert client_for(bob).get(NEW).status_code == 403
    assert client_for(bob).post(NEW, VALID).status_code == 403
    assert not CourseType.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"), [("carol", 404), ("ugo", 404), ("tom", 404), ("rita", 403)]
)
def test_others_cannot_create(client_for, alice_org, persona, status, request) -> None:
    assert client_for(request.getfixturevalue(persona)).post(NEW, VALID).status_code == status
    assert not CourseType.objects.exists()


def test_anonymous_visitors_cannot_create(client: Client, alice_org: Organisation) -> None:
    assert client.post(NEW, VALID)["Location"].startswith("/accounts/login/")
    assert not CourseType.objects.exists()


@pytest.mark.parametrize("status", ["applicant", "suspended", "archived"])
def test_only_certified_organisations_create_here(
    client_for, alice: User, alice_org: Organisation, status
) -> None:
    alice_org.status = status
    alice_org.save()

    response = client_for(alice).post(NEW, VALID, follow=True)

    assert "Only certified organisations propose new course types" in response.content.decode()
    assert not CourseType.objects.exists()


# --- Reading and editing one -------------------------------------------------------------


def test_the_detail_page_shows_the_course_type(client_for, bob: User, alice_org) -> None:
    course_type = CourseTypeFactory.create(
        organisation=alice_org, title="QGIS basics", languages=["sv"]
    )

    response = client_for(bob).get(detail(course_type))

    assert response.status_code == 200
    content = response.content.decode()
    assert "QGIS basics" in content
    assert "Swedish" in content
    assert "<li>Style layers</li>" in content
    assert edit(course_type) not in content  # trainers read only


def test_a_course_type_of_another_organisation_is_a_404(client_for, alice: User, carol_org) -> None:
    course_type = CourseTypeFactory.create(organisation=carol_org)

    assert client_for(alice).get(detail(course_type)).status_code == 404
    with assert_unchanged(course_type):
        assert client_for(alice).post(edit(course_type), VALID).status_code == 404


def test_an_owner_edits_a_draft(client_for, alice: User, alice_org) -> None:
    course_type = CourseTypeFactory.create(organisation=alice_org)

    response = client_for(alice).post(edit(course_type), VALID)

    assert response["Location"] == detail(course_type)
    course_type.refresh_from_db()
    assert course_type.title == "QGIS for municipalities"
    assert course_type.status == CourseType.Status.DRAFT
    event = AuditEvent.objects.get(action="course_type.updated")
    assert "title" in event.data["fields"]


def test_a_rejected_course_type_can_be_edited_and_stays_rejected_until_proposed(
    client_for, alice: User, alice_org
) -> None:
    course_type = CourseTypeFactory.create(
        organisation=alice_org, status="rejected", review_comment="Old"
    )

    client_for(alice).post(edit(course_type), VALID)

    course_type.refresh_from_db()
    assert course_type.title == "QGIS for municipalities"
    assert course_type.status == CourseType.Status.REJECTED


@pytest.mark.parametrize("status", ["approved", "proposed", "retired"])
def test_approved_proposed_and_retired_types_are_read_only(
    client_for, alice: User, alice_org, status
) -> None:
    course_type = CourseTypeFactory.create(organisation=alice_org, status=status, title="Fixed")
    client = client_for(alice)

    assert edit(course_type) not in client.get(detail(course_type)).content.decode()
    response = client.post(edit(course_type), VALID, follow=True)

    assert "cannot be changed" in response.content.decode()
    course_type.refresh_from_db()
    assert course_type.title == "Fixed"


def test_a_trainer_cannot_edit(client_for, bob: User, alice_org) -> None:
    course_type = CourseTypeFactory.create(organisation=alice_org, title="Fixed")

    with assert_unchanged(course_type):
        assert client_for(bob).post(edit(course_type), VALID).status_code == 403
    course_type.refresh_from_db()
    assert course_type.title == "Fixed"


def test_the_detail_page_is_read_only(client_for, alice: User, alice_org) -> None:
    course_type = CourseTypeFactory.create(organisation=alice_org)

    with assert_unchanged(course_type):
        assert client_for(alice).post(detail(course_type)).status_code == 405
