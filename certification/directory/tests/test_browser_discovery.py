"""A visitor finds certified training in Chromium, from the home page to a course.

She opens the home page (the map, the next courses, the verify box), goes to the list of
certified organisations, filters it to Sweden: the map and the list beside it show only the
Swedish organisation. She opens its page, then its upcoming course, and downloads the course
calendar (iCalendar), which holds that course. Screenshots of the home page and of the
filtered map go into the test output folder.
"""

import datetime
from decimal import Decimal
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import Page, expect

from certification.directory.tests.test_browser_map import PageProblems, wait_for_map
from certification.organisations.models import Organisation
from certification.training.tests.factories import CourseFactory, TrainingCentreFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COURSE = "QGIS för kommuner"


def test_a_visitor_finds_a_swedish_course_and_adds_it_to_her_calendar(
    page: Page, alice_org: Organisation, carol_org: Organisation, test_output_dir: Path
) -> None:
    uppsala = TrainingCentreFactory.create(
        organisation=alice_org,
        name="Geoskolan Uppsala",
        city="Uppsala",
        latitude=Decimal("59.858600"),
        longitude=Decimal("17.638900"),
    )
    TrainingCentreFactory.create(
        organisation=carol_org,
        name="Carto Lab Shoreditch",
        city="London",
        country="GB",
        latitude=Decimal("51.526500"),
        longitude=Decimal("-0.078400"),
    )
    course = CourseFactory.create(
        organisation=alice_org,
        training_centre=uppsala,
        course_type__title=COURSE,
        starts_on=datetime.date.today() + datetime.timedelta(days=20),
        registration_url="https://geoskolan.example.org/anmalan",
    )
    problems = PageProblems(page)
    (test_output_dir / "discovery").mkdir(exist_ok=True)

    # The home page brings it together.
    page.goto("/")
    wait_for_map(page, "ready")
    expect(page.get_by_role("heading", name="Next courses")).to_be_visible()
    expect(page.get_by_role("link", name=COURSE)).to_be_visible()
    expect(page.get_by_label("Verify a certificate")).to_be_visible()
    expect(page.get_by_role("link", name="How to apply")).to_have_attribute("href", "/apply/")
    page.screenshot(path=test_output_dir / "discovery" / "home.png", full_page=True)

    # Certified organisations, filtered to Sweden: the map and the list agree.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Organisations").click()
    the_map = wait_for_map(page, "ready")
    expect(the_map).to_have_attribute("data-map-markers", "2")
    page.get_by_label("Country").select_option("SE")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("heading", name="Certified QGIS training in Sweden")).to_be_visible()
    the_map = wait_for_map(page, "ready")
    expect(the_map).to_have_attribute("data-map-markers", "1")
    expect(
        page.get_by_role("button", name="Geoskolan AB: Geoskolan Uppsala, Uppsala")
    ).to_be_visible()
    listing = page.get_by_role("region", name="1 organisation")
    expect(listing).to_contain_text("Uppsala")
    expect(listing.get_by_role("link", name="Carto Lab Ltd")).to_have_count(0)
    page.screenshot(path=test_output_dir / "discovery" / "map-sweden.png", full_page=True)

    # Its page, then its upcoming course.
    listing.get_by_role("link", name="Geoskolan AB").click()
    expect(page.get_by_role("heading", name="Geoskolan AB", level=1)).to_be_visible()
    wait_for_map(page, "ready")
    page.get_by_role("region", name="Upcoming courses").get_by_role("link", name=COURSE).click()
    expect(page.get_by_role("heading", name=COURSE, level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Register with the organisation")).to_have_attribute(
        "href", "https://geoskolan.example.org/anmalan"
    )

    # The organisation's courses as a calendar.
    with page.expect_download() as download:
        page.get_by_role("link", name="Add this organisation's courses to your calendar").click()
    calendar = icalendar.Calendar.from_ical(download.value.path().read_bytes())
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]).startswith(COURSE)
    assert event.decoded("DTSTART") == course.starts_on
    assert str(event["URL"]).endswith(f"/courses/{course.public_id}/")

    problems.assert_none()
