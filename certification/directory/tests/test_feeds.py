"""The course feeds: /courses/feed.ics and /courses/feed.atom, read back with the independent
`icalendar` and `feedparser` libraries. They list exactly the courses /courses/ would show for
the same filters, never a private course or one of an organisation that is not certified."""

import datetime
from decimal import Decimal

import feedparser
import icalendar
import pytest
from django.test import Client
from django.utils import timezone

from certification.core.tests.assertions import assert_unchanged
from certification.directory import feeds
from certification.organisations.models import Organisation
from certification.organisations.tests.factories import OrganisationFactory
from certification.training.models import Course
from certification.training.tests.factories import (
    CourseFactory,
    CourseTypeFactory,
    TrainerFactory,
    TrainingCentreFactory,
)

pytestmark = pytest.mark.django_db

ICS = "/courses/feed.ics"
ATOM = "/courses/feed.atom"


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def course_of(organisation: Organisation, title: str, **fields: object) -> Course:
    course_type = CourseTypeFactory.create(
        organisation=organisation, title=title, status="approved", hours=14
    )
    return CourseFactory.create(organisation=organisation, course_type=course_type, **fields)


def events(client: Client, query: str = "") -> list[icalendar.Component]:
    response = client.get(ICS + query)
    assert response.status_code == 200
    return list(icalendar.Calendar.from_ical(response.content).walk("VEVENT"))


def entries(client: Client, query: str = "") -> list[feedparser.FeedParserDict]:
    response = client.get(ATOM + query)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed.entries


def uid(course: Course) -> str:
    return f"{course.public_id}@testserver"


def page_url(course: Course) -> str:
    return f"http://testserver/courses/{course.public_id}/"


@pytest.fixture
def catalogue(alice_org, carol_org) -> dict[str, Course]:
    """Upcoming public courses in Sweden and Britain, in person and online, in three languages."""
    return {
        "stockholm": course_of(alice_org, "QGIS basics", starts_on=in_days(10), language="sv"),
        "online_sv": course_of(
            alice_org, "QGIS online", starts_on=in_days(20), language="sv", online=True
        ),
        "online_en": course_of(
            alice_org, "QGIS in English", starts_on=in_days(30), language="en", online=True
        ),
        "london": course_of(
            carol_org,
            "Cartography",
            starts_on=in_days(40),
            language="en",
            training_centre=TrainingCentreFactory.create(
                organisation=carol_org, name="London centre", city="London", country="GB"
            ),
        ),
        "cardiff": course_of(
            carol_org,
            "Cartography in Welsh",
            starts_on=in_days(50),
            language="cy",
            online=True,
        ),
    }


# --- iCalendar --------------------------------------------------------------------------------


def test_the_calendar_has_one_all_day_event_per_course(client: Client, alice_org) -> None:
    trainers = [
        TrainerFactory.create(organisation=alice_org, name="Bob Berg"),
        TrainerFactory.create(organisation=alice_org, name="Anna Ek"),
    ]
    centre = TrainingCentreFactory.create(
        organisation=alice_org,
        name="Geoskolan Stockholm",
        address="Drottninggatan 12\n111 51 Stockholm",
        city="Stockholm",
        country="SE",
        latitude=Decimal("59.332600"),
        longitude=Decimal("18.064900"),
    )
    course = course_of(
        alice_org,
        "QGIS for beginners",
        starts_on=datetime.date(2099, 5, 12),
        ends_on=datetime.date(2099, 5, 13),
        language="sv",
        training_centre=centre,
        trainers=trainers,
        registration_url="https://geoskolan.example.org/anmalan",
    )

    response = client.get(ICS)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="qgis-courses.ics"'
    assert response["Cache-Control"] == "public, max-age=900"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//QGIS.ORG//QGIS Certification courses//EN"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["X-WR-CALNAME"] == "QGIS certified courses"
    [event] = calendar.walk("VEVENT")
    assert event["UID"] == uid(course)
    assert isinstance(event.decoded("DTSTAMP"), datetime.datetime)
    assert event.decoded("DTSTART") == datetime.date(2099, 5, 12)
    # The end of an all-day event is exclusive.
    assert event.decoded("DTEND") == datetime.date(2099, 5, 14)
    assert event["SUMMARY"] == "QGIS for beginners — Geoskolan AB"
    assert (
        event["LOCATION"]
        == "Geoskolan Stockholm, Drottninggatan 12, 111 51 Stockholm, Stockholm, Sweden"
    )
    assert event["URL"] == page_url(course)
    assert str(event["DESCRIPTION"]).splitlines() == [
        "Organisation: Geoskolan AB",
        "Language: Swedish",
        "14 hours",
        "Trainers: Anna Ek, Bob Berg",
        "Registration: https://geoskolan.example.org/anmalan",
        f"Course page: {page_url(course)}",
    ]
    assert event.decoded("GEO") == (59.3326, 18.0649)


def test_an_online_course_takes_place_online(client: Client, alice_org) -> None:
    course_of(alice_org, "QGIS online", online=True)

    [event] = events(client)

    assert event["LOCATION"] == "Online"
    assert "GEO" not in event


def test_every_line_ends_with_crlf(client: Client, alice_org) -> None:
    course_of(alice_org, "QGIS basics")

    content = client.get(ICS).content

    assert content.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in content.replace(b"\r\n", b"")


def test_text_is_escaped_in_the_calendar(client: Client, alice_org) -> None:
    title = "Maps; layers, styles\nand <script>alert(1)</script> \\ more"
    course_of(alice_org, title)

    content = client.get(ICS).content.decode()
    [event] = icalendar.Calendar.from_ical(content).walk("VEVENT")

    assert event["SUMMARY"] == f"{title} — Geoskolan AB"
    unfolded = content.replace("\r\n ", "")
    assert (
        "SUMMARY:Maps\\; layers\\, styles\\nand <script>alert(1)</script> \\\\ more — Geoskolan AB\r\n"
        in unfolded
    )


def test_long_lines_are_folded_at_75_octets_and_unfold_back(client: Client, alice_org) -> None:
    trainers = [
        TrainerFactory.create(organisation=alice_org, name=f"Åsa Öberg-Ångström {number} 🗺")
        for number in range(12)
    ]
    course_of(alice_org, "Kartografi för alla, " * 8, trainers=trainers)

    content = client.get(ICS).content

    lines = content.split(b"\r\n")
    assert max(len(line) for line in lines) == 75
    for line in lines:
        line.decode()  # no line ends in the middle of a character
    [event] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert event["SUMMARY"] == "Kartografi för alla, " * 8 + " — Geoskolan AB"
    expected_trainers = ", ".join(sorted(trainer.name for trainer in trainers))
    assert f"Trainers: {expected_trainers}" in str(event["DESCRIPTION"]).splitlines()


def test_folding_keeps_multibyte_characters_and_escapes_whole() -> None:
    line = "DESCRIPTION:" + "å\\;" * 40

    folded = feeds.fold(line)

    physical = folded.split("\r\n")
    assert all(len(piece.encode()) <= 75 for piece in physical)
    assert all(piece.startswith(" ") for piece in physical[1:])
    assert not any(piece.endswith("\\") for piece in physical)
    assert folded.replace("\r\n ", "") == line


def test_a_short_line_is_not_folded() -> None:
    assert feeds.fold("SUMMARY:QGIS") == "SUMMARY:QGIS"


# --- Atom -------------------------------------------------------------------------------------


def test_the_atom_feed_has_one_entry_per_course(client: Client, alice_org) -> None:
    course = course_of(
        alice_org,
        "QGIS for beginners",
        starts_on=datetime.date(2099, 5, 12),
        ends_on=datetime.date(2099, 5, 13),
        language="sv",
        training_centre=TrainingCentreFactory.create(
            organisation=alice_org,
            name="Geoskolan Stockholm",
            address="Drottninggatan 12",
            city="Stockholm",
            country="SE",
        ),
    )
    created = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)
    Course.objects.filter(pk=course.pk).update(created_at=created)

    response = client.get(ATOM + "?country=SE")

    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=900"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo
    assert parsed.feed.title == "Upcoming QGIS certified courses"
    assert parsed.feed.id == "http://testserver/courses/?country=SE"
    assert parsed.feed.link == "http://testserver/courses/?country=SE"
    [entry] = parsed.entries
    assert entry.title == "QGIS for beginners — Geoskolan AB"
    assert entry.link == page_url(course)
    assert entry.id == f"urn:uuid:{course.public_id}"
    assert entry.author == "Geoskolan AB"
    assert entry.updated_parsed[:5] == (2026, 3, 1, 9, 30)
    assert entry.summary == (
        "May 12, 2099 to May 13, 2099<br />"
        "Geoskolan Stockholm, Drottninggatan 12, Stockholm, Sweden<br />"
        "Language: Swedish<br />"
        "Organisation: Geoskolan AB"
    )


def test_the_atom_feed_links_to_the_list_with_only_the_valid_filters(
    client: Client, alice_org
) -> None:
    response = client.get(
        ATOM + "?mode=online&language=sv&starts_after=2026-01-01&country=nowhere&page=3"
    )

    parsed = feedparser.parse(response.content)
    expected = "http://testserver/courses/?language=sv&mode=online&starts_after=2026-01-01"
    assert parsed.feed.id == expected
    assert parsed.feed.link == expected
    assert {link.rel: link.href for link in parsed.feed.links}["self"] == (
        "http://testserver/courses/feed.atom?language=sv&mode=online&starts_after=2026-01-01"
    )


def test_an_empty_atom_feed_is_still_valid(client: Client) -> None:
    assert entries(client) == []


def test_text_is_escaped_in_the_atom_feed(client: Client, alice_org) -> None:
    alice_org.legal_name = "Geo & <b>Co</b>"
    alice_org.save()
    course_of(alice_org, "Maps; layers, <script>alert(1)</script>\x0b")

    response = client.get(ATOM)

    assert b"<script>" not in response.content
    assert b"<b>Co" not in response.content
    [entry] = feedparser.parse(response.content).entries
    assert entry.title == "Maps; layers, <script>alert(1)</script> — Geo & <b>Co</b>"
    assert entry.title_detail.type == "text/plain"
    # The summary is HTML: the organisation's name arrives as text, not as markup.
    assert "Organisation: Geo &amp; &lt;b&gt;Co&lt;/b&gt;" in entry.summary


# --- Both feeds: which courses ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["stockholm", "online_sv", "online_en", "london", "cardiff"]),
        ("?country=SE", ["stockholm", "online_sv", "online_en"]),
        ("?country=GB", ["london", "cardiff"]),
        ("?language=sv", ["stockholm", "online_sv"]),
        ("?mode=online", ["online_sv", "online_en", "cardiff"]),
        ("?mode=in_person", ["stockholm", "london"]),
        ("?organisation=carto-lab", ["london", "cardiff"]),
        ("?country=SE&mode=online&language=en", ["online_en"]),
        ("?words=cartography", ["london", "cardiff"]),
        ("DATES", ["online_sv", "online_en"]),
        # Invalid values are ignored, as on /courses/.
        (
            "?mode=by-pigeon&country=XX",
            ["stockholm", "online_sv", "online_en", "london", "cardiff"],
        ),
    ],
)
def test_the_feeds_follow_the_filters_of_the_course_list(
    client: Client, catalogue, query: str, expected: list[str]
) -> None:
    if query == "DATES":
        query = f"?starts_after={in_days(15).isoformat()}&starts_before={in_days(35).isoformat()}"
    wanted = [catalogue[name] for name in expected]

    assert [event["UID"] for event in events(client, query)] == [uid(c) for c in wanted]
    assert [entry.link for entry in entries(client, query)] == [page_url(c) for c in wanted]


@pytest.mark.parametrize("status", ["applicant", "suspended", "archived"])
def test_courses_of_organisations_that_are_not_certified_never_appear(
    client: Client, alice_org, carol_org, status: str
) -> None:
    shown = course_of(alice_org, "QGIS basics")
    course_of(carol_org, "Hidden course")
    carol_org.status = status
    carol_org.save()

    assert [event["UID"] for event in events(client)] == [uid(shown)]
    assert [entry.link for entry in entries(client)] == [page_url(shown)]
    # Asked for by name, the organisation is no choice of the filter: the filter is ignored.
    assert [entry.link for entry in entries(client, "?organisation=carto-lab")] == [page_url(shown)]


def test_private_and_past_courses_never_appear(client: Client, alice_org) -> None:
    shown = course_of(alice_org, "Public course")
    course_of(alice_org, "Private course", is_public=False)
    course_of(alice_org, "Past course", starts_on=in_days(-10), ends_on=in_days(-9))
    # A course still running today is upcoming until its last day.
    running = course_of(alice_org, "Running course", starts_on=in_days(-1), ends_on=in_days(0))

    for query in ("", "?organisation=geoskolan"):
        assert [event["UID"] for event in events(client, query)] == [uid(running), uid(shown)]
        assert [entry.link for entry in entries(client, query)] == [
            page_url(running),
            page_url(shown),
        ]
    assert b"Private course" not in client.get(ICS).content
    assert b"Past course" not in client.get(ATOM).content


def test_the_feeds_stop_at_their_limit_soonest_first(
    client: Client, alice_org, monkeypatch
) -> None:
    monkeypatch.setattr(feeds, "FEED_LIMIT", 2)
    later = course_of(alice_org, "Later", starts_on=in_days(30))
    soonest = course_of(alice_org, "Soonest", starts_on=in_days(5))
    course_of(alice_org, "Latest", starts_on=in_days(60))
    sooner = course_of(alice_org, "Sooner", starts_on=in_days(10))

    assert [event["UID"] for event in events(client)] == [uid(soonest), uid(sooner)]
    assert [entry.link for entry in entries(client)] == [page_url(soonest), page_url(sooner)]
    assert uid(later) not in client.get(ICS).content.decode()


@pytest.mark.parametrize("url", [ICS, ATOM])
def test_the_feeds_run_the_same_queries_for_ten_times_the_courses(
    client: Client, alice_org, django_assert_num_queries, url: str
) -> None:
    def add(count: int) -> None:
        for number in range(count):
            CourseFactory.create(
                organisation=alice_org,
                online=number % 2 == 0,
                trainers=[TrainerFactory.create(organisation=alice_org) for _ in range(2)],
            )

    add(3)
    # The courses, and all their trainers at once.
    with django_assert_num_queries(2) as few:
        client.get(url)
    add(27)

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)

    if url == ICS:
        assert len(icalendar.Calendar.from_ical(response.content).walk("VEVENT")) == 30
    else:
        assert len(feedparser.parse(response.content).entries) == 30


@pytest.mark.parametrize("url", [ICS, ATOM])
def test_the_feeds_are_read_only(client: Client, url: str) -> None:
    with assert_unchanged(Course):
        assert client.post(url).status_code == 405
    assert client.head(url).status_code == 200


def test_the_course_list_links_to_its_feeds_with_its_filters(client: Client, alice_org) -> None:
    content = client.get("/courses/?country=SE").content.decode()

    assert 'href="/courses/feed.ics?country=SE"' in content
    assert 'href="/courses/feed.atom?country=SE"' in content


def test_the_feeds_are_in_the_language_asked_for(alice_org) -> None:
    course_of(alice_org, "QGIS online", online=True, language="en")
    swedish = Client(HTTP_ACCEPT_LANGUAGE="sv")

    [event] = events(swedish)
    [entry] = entries(swedish)

    assert "Engelska" in str(event["DESCRIPTION"])  # the course's language, named in Swedish
    assert "Engelska" in entry.summary


def test_an_organisation_without_upcoming_courses_has_an_empty_calendar(
    client: Client, alice_org
) -> None:
    OrganisationFactory.create(slug="empty-org")
    response = client.get(ICS + "?organisation=empty-org")

    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar.walk("VEVENT") == []
    assert calendar["X-WR-CALNAME"] == "QGIS certified courses"
