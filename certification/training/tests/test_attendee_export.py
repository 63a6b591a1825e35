import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from certification.accounts.models import User
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation
from certification.training.exports import neutralise
from certification.training.models import Attendee, Course
from certification.training.tests.factories import (
    AttendeeFactory,
    CourseFactory,
    CourseTypeFactory,
    TrainerFactory,
    give_certificate,
)

pytestmark = pytest.mark.django_db

HEADER = ["Name", "Email", "Certificate code", "Kind", "Status", "Issued on"]


def export_url(course: Course, extension: str) -> str:
    return (
        f"/dashboard/organisations/{course.organisation.slug}/courses/{course.public_id}/"
        f"attendees/export.{extension}"
    )


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [
        ["" if value is None else value for value in row]
        for row in sheet.iter_rows(values_only=True)
    ]


def same_rows(rows: list[list[str]], wanted: list[list[str]]) -> bool:
    """The header first, then the rows in any order: databases sort punctuation differently."""
    return rows[0] == wanted[0] and sorted(rows[1:]) == sorted(wanted[1:])


@pytest.fixture
def course(alice_org: Organisation) -> Course:
    return CourseFactory.create(
        organisation=alice_org,
        course_type=CourseTypeFactory.create(
            organisation=alice_org, title="QGIS för nybörjare", status="approved"
        ),
    )


@pytest.fixture
def attendees(course: Course) -> dict:
    anna = AttendeeFactory.create(course=course, name="Anna Åberg", email="anna@example.org")
    bo = AttendeeFactory.create(course=course, name="Bo Berg", email="bo@example.org")
    formula = AttendeeFactory.create(
        course=course, name='=HYPERLINK("http://evil")', email="c@example.org"
    )
    AttendeeFactory.create(course=course, name="+46 Dahl", email="d@example.org")
    AttendeeFactory.create(course=course, name="-Eve", email="e@example.org")
    AttendeeFactory.create(course=course, name="@Fia", email="f@example.org")
    return {
        "anna": give_certificate(anna),
        "bo_revoked": give_certificate(bo, status="revoked"),
        "bo": give_certificate(bo, kind="attendance"),
        "formula": formula,
    }


def expected(certificates: dict) -> list[list[str]]:
    today = timezone.localdate().isoformat()
    return [
        HEADER,
        ["'+46 Dahl", "d@example.org", "", "", "", ""],
        ["'-Eve", "e@example.org", "", "", "", ""],
        ['\'=HYPERLINK("http://evil")', "c@example.org", "", "", "", ""],
        ["'@Fia", "f@example.org", "", "", "", ""],
        [
            "Anna Åberg",
            "anna@example.org",
            certificates["anna"].code,
            "Certificate of completion",
            "Valid",
            today,
        ],
        [
            "Bo Berg",
            "bo@example.org",
            certificates["bo_revoked"].code,
            "Certificate of completion",
            "Revoked",
            today,
        ],
        [
            "Bo Berg",
            "bo@example.org",
            certificates["bo"].code,
            "Certificate of attendance",
            "Valid",
            today,
        ],
    ]


def test_the_csv_export_parses_back_with_neutralised_cells(
    client_for, alice: User, course: Course, attendees: dict
) -> None:
    response = client_for(alice).get(export_url(course, "csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="attendees-{course.starts_on:%Y-%m-%d}-qgis-for-nyborjare.csv"'
    )
    assert same_rows(csv_rows(response.content), expected(attendees))


def test_the_xlsx_export_parses_back_with_neutralised_cells(
    client_for, alice: User, course: Course, attendees: dict
) -> None:
    response = client_for(alice).get(export_url(course, "xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert same_rows(xlsx_rows(response.content), expected(attendees))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row if cell.value)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Anna", "Anna"),
        ("Anna=Bo", "Anna=Bo"),
        ("", ""),
    ],
)
def test_neutralise(value: str, written: str) -> None:
    assert neutralise(value) == written


def test_an_empty_course_exports_its_header(client_for, alice: User, course: Course) -> None:
    assert csv_rows(client_for(alice).get(export_url(course, "csv")).content) == [HEADER]
    assert xlsx_rows(client_for(alice).get(export_url(course, "xlsx")).content) == [HEADER]


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_exports_run_the_same_queries_with_ten_times_the_attendees(
    client_for, alice: User, course: Course, extension: str
) -> None:
    for attendee in AttendeeFactory.create_batch(3, course=course):
        give_certificate(attendee)
    client = client_for(alice)
    with CaptureQueriesContext(connection) as few:
        client.get(export_url(course, extension))
    for attendee in AttendeeFactory.create_batch(30, course=course):
        give_certificate(attendee)

    with CaptureQueriesContext(connection) as many:
        client.get(export_url(course, extension))

    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_trainer_of_the_course_exports_it(
    client_for, bob: User, alice_org: Organisation, course: Course, extension: str
) -> None:
    course.trainers.add(TrainerFactory.create(organisation=alice_org, user=bob))

    assert client_for(bob).get(export_url(course, extension)).status_code == 200


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_a_trainer_may_not_export_other_courses(
    client_for, bob: User, course: Course, extension: str
) -> None:
    assert client_for(bob).get(export_url(course, extension)).status_code == 403


@pytest.mark.parametrize(
    ("persona", "extension"), [("carol", "csv"), ("carol", "xlsx"), ("tom", "csv")]
)
def test_others_may_not_export(
    request, client_for, course: Course, persona: str, extension: str
) -> None:
    assert (
        client_for(request.getfixturevalue(persona)).get(export_url(course, extension)).status_code
        == 404
    )


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_anonymous_visitors_may_not_export(client: Client, course: Course, extension: str) -> None:
    assert client.get(export_url(course, extension)).status_code == 302


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_exports_refuse_posts(client_for, alice: User, course: Course, extension: str) -> None:
    with assert_unchanged(course, Attendee):
        assert client_for(alice).post(export_url(course, extension)).status_code == 405


def test_another_organisations_course_is_not_exported(
    client_for, alice: User, carol_org: Organisation
) -> None:
    other = CourseFactory.create(organisation=carol_org)

    assert client_for(alice).get(export_url(other, "csv")).status_code == 404
