import pytest
from django.core import mail
from django.test import Client

from certification.accounts.models import User
from certification.core.models import AuditEvent
from certification.organisations.models import Membership, Organisation
from certification.organisations.tests.factories import MembershipFactory
from certification.training.models import CourseType
from certification.training.tests.factories import CourseMaterialFactory, CourseTypeFactory

pytestmark = pytest.mark.django_db


def detail(course_type: CourseType) -> str:
    return f"/dashboard/organisations/geoskolan/course-types/{course_type.pk}/"


def propose(course_type: CourseType) -> str:
    return detail(course_type) + "propose/"


@pytest.fixture
def ready(alice_org: Organisation) -> CourseType:
    course_type = CourseTypeFactory.create(organisation=alice_org, title="QGIS basics")
    CourseMaterialFactory.create(course_type=course_type, link=True)
    return course_type


def test_an_owner_proposes_a_draft_and_the_team_is_told(
    client_for, alice: User, rita: User, ready: CourseType, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(propose(ready), follow=True)

    assert response.redirect_chain[-1][0] == detail(ready)
    assert "“QGIS basics” is proposed." in response.content.decode()
    ready.refresh_from_db()
    assert ready.status == CourseType.Status.PROPOSED
    assert AuditEvent.objects.filter(action="course_type.proposed", actor=alice).exists()
    assert [message.to for message in mail.outbox] == [["rita@example.org"]]


def test_the_propose_button_is_there_for_drafts_only(client_for, alice: User, ready) -> None:
    client = client_for(alice)
    assert f'action="{propose(ready)}"' in client.get(detail(ready)).content.decode()

    client.post(propose(ready))

    content = client.get(detail(ready)).content.decode()
    assert f'action="{propose(ready)}"' not in content
    assert "The certification team is reviewing this course type." in content


def test_a_manager_proposes(client_for, alice_org: Organisation, ready: CourseType) -> None:
    manager = MembershipFactory.create(organisation=alice_org, role=Membership.Role.MANAGER).user

    client_for(manager).post(propose(ready))

    ready.refresh_from_db()
    assert ready.status == CourseType.Status.PROPOSED


def test_a_rejected_type_is_proposed_again(client_for, alice: User, ready: CourseType) -> None:
    ready.status = CourseType.Status.REJECTED
    ready.review_comment = "Update to the current LTR."
    ready.save()

    client_for(alice).post(propose(ready))

    ready.refresh_from_db()
    assert ready.status == CourseType.Status.PROPOSED


def test_a_type_without_material_is_not_proposed(client_for, alice: User, alice_org) -> None:
    empty = CourseTypeFactory.create(organisation=alice_org)

    response = client_for(alice).post(propose(empty), follow=True)

    assert (
        "Add the training material before proposing the course type." in response.content.decode()
    )
    empty.refresh_from_db()
    assert empty.status == CourseType.Status.DRAFT


@pytest.mark.parametrize("status", ["proposed", "approved", "retired"])
def test_only_drafts_and_rejected_types_are_proposed(
    client_for, alice: User, ready: CourseType, status
) -> None:
    ready.status = status
    ready.save()

    response = client_for(alice).post(propose(ready), follow=True)

    assert "Only a draft or rejected course type can be proposed." in response.content.decode()
    ready.refresh_from_db()
    assert ready.status == status


def test_an_organisation_that_is_not_certified_cannot_propose(
    client_for, alice: User, alice_org: Organisation, ready: CourseType
) -> None:
    alice_org.status = Organisation.Status.SUSPENDED
    alice_org.save()

    client_for(alice).post(propose(ready))

    ready.refresh_from_db()
    assert ready.status == CourseType.Status.DRAFT


@pytest.mark.parametrize(
    ("persona", "status"),
    [("bob", 403), ("rita", 403), ("carol", 404), ("ugo", 404), ("tom", 404)],
)
def test_others_cannot_propose(client_for, ready: CourseType, persona, status, request) -> None:
    assert client_for(request.getfixturevalue(persona)).post(propose(ready)).status_code == status
    ready.refresh_from_db()
    assert ready.status == CourseType.Status.DRAFT


def test_anonymous_visitors_cannot_propose(client: Client, ready: CourseType) -> None:
    assert client.post(propose(ready))["Location"].startswith("/accounts/login/")
    ready.refresh_from_db()
    assert ready.status == CourseType.Status.DRAFT


def test_proposing_is_post_only(client_for, alice: User, ready: CourseType) -> None:
    assert client_for(alice).get(propose(ready)).status_code == 405
    ready.refresh_from_db()
    assert ready.status == CourseType.Status.DRAFT
