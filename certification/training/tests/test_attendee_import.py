import re

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from certification.accounts.models import User
from certification.core.models import AuditEvent
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation
from certification.training.attendee_import import (
    MAX_ROWS,
    SIGNING_SALT,
    ImportFileError,
    check_import_rows,
    read_attendee_csv,
    sign_rows,
)
from certification.training.models import Attendee, Course, Trainer
from certification.training.tests.factories import AttendeeFactory, CourseFactory, TrainerFactory

pytestmark = pytest.mark.django_db

GOOD = "name,email\nAnna Åberg,anna@example.org\nErik Öberg,erik@example.org\n"


def course_url(course: Course) -> str:
    return f"/dashboard/organisations/{course.organisation.slug}/courses/{course.public_id}/"


def upload_url(course: Course) -> str:
    return f"{course_url(course)}attendees/import/"


def confirm_url(course: Course) -> str:
    return f"{upload_url(course)}confirm/"


def csv_file(text: str | bytes, name: str = "attendees.csv") -> SimpleUploadedFile:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def signed_rows(content: str) -> str:
    match = re.search(r'name="rows" value="([^"]+)"', content)
    assert match, "no confirmation form"
    return match.group(1)


@pytest.fixture
def course(alice_org: Organisation) -> Course:
    return CourseFactory.create(organisation=alice_org)


@pytest.fixture
def bob_trainer(alice_org: Organisation, bob: User) -> Trainer:
    return TrainerFactory.create(organisation=alice_org, user=bob)


# --- Reading the file --------------------------------------------------------------------------


def names_and_emails(text: str | bytes) -> list[tuple[str, str]]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return [(row.name, row.email) for row in read_attendee_csv(data)]


def test_it_reads_names_and_emails() -> None:
    assert names_and_emails(GOOD) == [
        ("Anna Åberg", "anna@example.org"),
        ("Erik Öberg", "erik@example.org"),
    ]


def test_it_reads_utf8_with_a_byte_order_mark() -> None:
    assert names_and_emails(("\ufeff" + GOOD).encode("utf-8"))[0] == (
        "Anna Åberg",
        "anna@example.org",
    )


def test_it_reads_semicolons_as_excel_writes_them_in_europe() -> None:
    text = 'Name;E-mail\r\nAnna Åberg;anna@example.org\r\n"Berg, Bo";bo@example.org\r\n'

    assert names_and_emails(text) == [
        ("Anna Åberg", "anna@example.org"),
        ("Berg, Bo", "bo@example.org"),
    ]


def test_it_joins_first_and_last_names() -> None:
    text = "Email,First name,Last name\nanna@example.org, Anna ,Åberg\nmo@example.org,Mo,\n"

    assert names_and_emails(text) == [("Anna Åberg", "anna@example.org"), ("Mo", "mo@example.org")]


@pytest.mark.parametrize(
    "header",
    ["Förnamn;Efternamn;E-post", "FÖRNAMN;EFTERNAMN;EPOST", "förnamn;efternamn;e-postadress"],
)
def test_it_understands_swedish_headers(header: str) -> None:
    assert names_and_emails(f"{header}\nAnna;Åberg;anna@example.org\n") == [
        ("Anna Åberg", "anna@example.org")
    ]


def test_it_understands_namn_and_full_name() -> None:
    assert names_and_emails("Namn,e-post\nAnna,anna@example.org\n") == [
        ("Anna", "anna@example.org")
    ]
    assert names_and_emails("Full name,Email address\nAnna,anna@example.org\n") == [
        ("Anna", "anna@example.org")
    ]


def test_it_ignores_other_columns_and_blank_lines() -> None:
    text = "Company,Name,Phone,Email\n\nAcme,Anna,123,anna@example.org\n,,,\n"

    rows = read_attendee_csv(text.encode())

    assert [(row.number, row.name, row.email) for row in rows] == [(3, "Anna", "anna@example.org")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty."),
        ("name,email\n", "only a header row"),
        ("name,phone\nAnna,123\n", "a column “email”"),
        ("first name,email\nAnna,anna@example.org\n", "“name” (or “first name” and “last name”)"),
        ("foo;bar\n1;2\n", "Its first row has: “foo”, “bar”."),
    ],
)
def test_it_explains_what_is_wrong_with_the_file(text: str, message: str) -> None:
    with pytest.raises(ImportFileError, match=re.escape(message)):
        read_attendee_csv(text.encode())


def test_it_refuses_files_that_are_not_utf8() -> None:
    with pytest.raises(ImportFileError, match="CSV UTF-8"):
        read_attendee_csv("name,email\nÅsa,asa@example.org\n".encode("latin-1"))
    with pytest.raises(ImportFileError, match="CSV UTF-8"):
        read_attendee_csv("name,email\nÅsa,asa@example.org\n".encode("utf-16"))


def test_it_refuses_more_than_the_row_limit() -> None:
    text = "name,email\n" + "".join(f"P{n},p{n}@example.org\n" for n in range(MAX_ROWS + 1))

    with pytest.raises(ImportFileError, match="more than 2000 attendees"):
        read_attendee_csv(text.encode())
    assert len(read_attendee_csv("\n".join(text.splitlines()[:-1]).encode())) == MAX_ROWS


def test_it_refuses_files_over_2_mb() -> None:
    with pytest.raises(ImportFileError, match="larger than 2 MB"):
        read_attendee_csv(b"name,email\n" + b"x" * (2 * 1024 * 1024))


def test_every_row_gets_its_problems() -> None:
    text = (
        "name,email\n"
        "Anna,anna@example.org\n"
        ",empty@example.org\n"
        f"{'L' * 201},long@example.org\n"
        "Bad,not-an-email\n"
        "Anna again,ANNA@example.org\n"
        "Known,known@example.org\n"
        "Short\n"
    )

    rows = check_import_rows(read_attendee_csv(text.encode()), {"known@example.org"})

    problems = {row.number: row.problems for row in rows}
    assert problems[2] == []
    assert problems[3] == ["The name is missing."]
    assert problems[4] == ["The name is longer than 200 characters."]
    assert problems[5] == ["“not-an-email” is not a valid email address."]
    assert problems[6] == ["The same email is on row 2 of the file."]
    assert problems[7] == ["Someone with this email is already on the course."]
    assert problems[8] == ["This row has fewer columns than the header.", "The email is missing."]


# --- The pages ---------------------------------------------------------------------------------


def test_the_import_page_explains_the_file_and_offers_a_template(
    client_for, alice: User, course: Course
) -> None:
    response = client_for(alice).get(upload_url(course))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'enctype="multipart/form-data"' in content
    assert f"{upload_url(course)}template.csv" in content


def test_the_template_is_a_header_to_fill_in(client_for, alice: User, course: Course) -> None:
    response = client_for(alice).get(f"{upload_url(course)}template.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content == "\ufeffname,email\r\n".encode()
    assert names_and_emails(response.content + b"Anna,anna@example.org\n") == [
        ("Anna", "anna@example.org")
    ]


def test_a_good_file_is_previewed_then_imported_on_confirmation(
    client_for, alice: User, course: Course
) -> None:
    client = client_for(alice)

    preview = client.post(upload_url(course), {"file": csv_file(GOOD)})

    assert preview.status_code == 200
    content = preview.content.decode()
    assert "All 2 rows are ready to import." in content
    assert "Anna Åberg" in content
    assert "erik@example.org" in content
    assert not course.attendees.exists()

    response = client.post(confirm_url(course), {"rows": signed_rows(content)}, follow=True)

    assert response.redirect_chain[-1][0] == course_url(course)
    assert "2 attendees are imported." in response.content.decode()
    assert sorted(course.attendees.values_list("name", "email")) == [
        ("Anna Åberg", "anna@example.org"),
        ("Erik Öberg", "erik@example.org"),
    ]
    event = AuditEvent.objects.get(action="attendees.imported")
    assert (event.actor, event.data) == (alice, {"count": 2})


def test_a_file_with_one_bad_row_shows_the_problem_and_imports_nothing(
    client_for, alice: User, course: Course
) -> None:
    client = client_for(alice)
    bad = "name;email\nAnna Åberg;anna@example.org\nErik Öberg;erik(at)example.org\n"

    response = client.post(upload_url(course), {"file": csv_file(bad)})

    content = response.content.decode()
    assert "1 row has problems." in content
    assert "“erik(at)example.org” is not a valid email address." in content
    assert 'name="rows"' not in content
    assert not course.attendees.exists()

    fixed = bad.replace("erik(at)example.org", "erik@example.org")
    preview = client.post(upload_url(course), {"file": csv_file(fixed)}).content.decode()
    client.post(confirm_url(course), {"rows": signed_rows(preview)})

    assert course.attendees.count() == 2


def test_duplicates_within_the_file_and_on_the_course_are_shown(
    client_for, alice: User, course: Course
) -> None:
    AttendeeFactory.create(course=course, email="erik@example.org")
    text = "name,email\nAnna,anna@example.org\nAnna B,Anna@example.org\nErik,erik@example.org\n"

    content = client_for(alice).post(upload_url(course), {"file": csv_file(text)}).content.decode()

    assert "2 rows have problems." in content
    assert "The same email is on row 2 of the file." in content
    assert "Someone with this email is already on the course." in content
    assert course.attendees.count() == 1


def test_a_file_problem_is_shown_and_nothing_imported(
    client_for, alice: User, course: Course
) -> None:
    response = client_for(alice).post(upload_url(course), {"file": csv_file("phone\n123\n")})

    assert response.status_code == 200
    assert "Nothing was imported." in response.content.decode()
    assert "The file needs a column" in response.content.decode()


def test_an_oversize_file_is_refused(client_for, alice: User, course: Course) -> None:
    big = b"name,email\n" + b"Anna,anna@example.org\n" * 100_000

    response = client_for(alice).post(upload_url(course), {"file": csv_file(big)})

    assert "The file is larger than 2 MB." in response.content.decode()
    assert not course.attendees.exists()


def test_no_file_is_no_import(client_for, alice: User, course: Course) -> None:
    response = client_for(alice).post(upload_url(course), {})

    assert "This field is required." in response.content.decode()


def test_tampered_rows_are_refused(client_for, alice: User, course: Course) -> None:
    client = client_for(alice)
    token = signed_rows(client.post(upload_url(course), {"file": csv_file(GOOD)}).content.decode())
    payload = signing.loads(token, salt=SIGNING_SALT)
    payload["rows"][0][1] = "Mallory"
    forged = signing.dumps(payload, salt="another salt", compress=True)

    for rows in (forged, token[:-2] + "xx", "", "garbage"):
        response = client.post(confirm_url(course), {"rows": rows})
        assert response.status_code == 200
        assert "The preview has expired or was changed." in response.content.decode()
    assert not course.attendees.exists()


def test_a_preview_is_for_its_own_course_and_person(
    client_for, alice: User, course: Course, alice_org: Organisation, bob: User, bob_trainer
) -> None:
    other = CourseFactory.create(organisation=alice_org, trainers=[bob_trainer])
    course.trainers.add(bob_trainer)
    token = signed_rows(
        client_for(alice).post(upload_url(course), {"file": csv_file(GOOD)}).content.decode()
    )

    into_other = client_for(alice).post(confirm_url(other), {"rows": token})
    by_bob = client_for(bob).post(confirm_url(course), {"rows": token})

    assert "The preview has expired or was changed." in into_other.content.decode()
    assert "The preview has expired or was changed." in by_bob.content.decode()
    assert not course.attendees.exists()
    assert not other.attendees.exists()


def test_rows_are_checked_again_on_confirmation(client_for, alice: User, course: Course) -> None:
    client = client_for(alice)
    token = signed_rows(client.post(upload_url(course), {"file": csv_file(GOOD)}).content.decode())
    AttendeeFactory.create(course=course, email="erik@example.org")

    response = client.post(confirm_url(course), {"rows": token})

    content = response.content.decode()
    assert "nothing was imported" in content
    assert "Someone with this email is already on the course." in content
    assert course.attendees.count() == 1


def test_signed_rows_that_were_never_valid_are_refused(
    client_for, alice: User, course: Course
) -> None:
    from certification.training.attendee_import import ImportRow

    token = sign_rows(
        [ImportRow(2, "", "nobody")], course_id=str(course.public_id), user_id=alice.pk
    )

    client_for(alice).post(confirm_url(course), {"rows": token})

    assert not course.attendees.exists()


def test_the_trainer_of_the_course_imports_attendees(
    client_for, bob: User, bob_trainer: Trainer, course: Course
) -> None:
    course.trainers.add(bob_trainer)
    client = client_for(bob)

    preview = client.post(upload_url(course), {"file": csv_file(GOOD)}).content.decode()
    client.post(confirm_url(course), {"rows": signed_rows(preview)})

    assert course.attendees.count() == 2


def test_a_trainer_may_not_import_into_other_courses(
    client_for, bob: User, bob_trainer: Trainer, course: Course
) -> None:
    assert client_for(bob).get(upload_url(course)).status_code == 403
    with assert_unchanged(course, Attendee):
        assert client_for(bob).post(upload_url(course), {"file": csv_file(GOOD)}).status_code == 403
        assert client_for(bob).post(confirm_url(course), {"rows": "x"}).status_code == 403


@pytest.mark.parametrize("persona", ["carol", "ugo"])
def test_others_may_not_import(request, client_for, persona: str, course: Course) -> None:
    client = client_for(request.getfixturevalue(persona))

    with assert_unchanged(course, Attendee):
        assert client.post(upload_url(course), {"file": csv_file(GOOD)}).status_code == 404
        assert client.post(confirm_url(course), {"rows": "x"}).status_code == 404
    assert client.get(f"{upload_url(course)}template.csv").status_code == 404


def test_anonymous_visitors_may_not_import(client: Client, course: Course) -> None:
    with assert_unchanged(course, Attendee):
        assert client.post(upload_url(course), {"file": csv_file(GOOD)}).status_code == 302
        assert client.post(confirm_url(course), {"rows": "x"}).status_code == 302


def test_confirming_is_post_only(client_for, alice: User, course: Course) -> None:
    with assert_unchanged(course, Attendee):
        assert client_for(alice).get(confirm_url(course)).status_code == 405
        assert client_for(alice).post(f"{upload_url(course)}template.csv").status_code == 405
