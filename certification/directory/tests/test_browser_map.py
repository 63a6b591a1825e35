"""The public map and the training-centre picker in Chromium, as people use them.

A visitor opens the list of certified organisations: the map beside it shows a marker for
each training centre, the countries of certified organisations shaded in green, and, on a
click, the server's popup with the organisation and its next course. From the keyboard, a
marker opens the same popup and Escape brings the focus back. With no centre to show, the
map says so and shows the world, drawn without a stripe where Russia and Fiji cross the
antimeridian. Alice places her new training centre by clicking the picker's map, and typed
coordinates move its marker. No page logs an error or breaks the content security policy.

The colours checked are map.css's: the countries are drawn on a canvas, so the test reads
the screenshot's pixels where the map puts a place.
"""

import datetime
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Page, expect

from certification.accounts.models import User
from certification.accounts.tests.browser import log_in
from certification.organisations.models import Organisation
from certification.training.models import TrainingCentre
from certification.training.tests.factories import CourseFactory, TrainingCentreFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

SEA = (207, 227, 238)  # --map-sea
LAND = (243, 240, 232)  # --map-land
CERTIFIED = (166, 205, 138)  # --map-certified

# Records what the content security policy blocks, before any script of the page runs.
RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


# --- Helpers ------------------------------------------------------------------------------


class PageProblems:
    """Console errors, uncaught exceptions and CSP violations of one page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        page.add_init_script(RECORD_CSP_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(f"console {message.type}: {message.text}")

    def assert_none(self) -> None:
        assert self.errors == []
        assert self.page.evaluate("window.cspViolations") == []


def wait_for_map(page: Page, state: str) -> Any:
    the_map = page.locator(".map[data-geojson-url]")
    expect(the_map).to_have_attribute("data-map-state", state)
    return the_map


def wait_for_outlines(page: Page, shaded: str) -> None:
    expect(page.locator(".map[data-map-shaded]")).to_have_attribute("data-map-shaded", shaded)
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done)))")


def wait_until_inside_the_map(page: Page, selector: str) -> None:
    """Until the map has panned to show all of an element (a popup) inside it."""
    page.wait_for_function(
        """selector => {
            const inner = document.querySelector(selector).getBoundingClientRect();
            const outer = document.querySelector(".map").getBoundingClientRect();
            return inner.top >= outer.top && inner.bottom <= outer.bottom
                && inner.left >= outer.left && inner.right <= outer.right;
        }""",
        arg=selector,
    )


def pixel_at(page: Page, selector: str, latitude: float, longitude: float) -> tuple[int, ...]:
    """The colour the map shows at a place, read from a screenshot of the map element."""
    x, y = page.evaluate(
        """([selector, latitude, longitude]) => {
            const element = document.querySelector(selector);
            const point = element.leafletMap.latLngToContainerPoint([latitude, longitude]);
            return [point.x + element.clientLeft, point.y + element.clientTop];
        }""",
        [selector, latitude, longitude],
    )
    image = Image.open(io.BytesIO(page.locator(selector).screenshot())).convert("RGB")
    assert 0 <= x < image.width, (latitude, longitude, x)
    assert 0 <= y < image.height, (latitude, longitude, y)
    pixel = image.getpixel((round(x), round(y)))
    assert isinstance(pixel, tuple)  # an RGB image has three channels
    return pixel


def assert_colour(found: tuple[int, ...], expected: tuple[int, int, int], place: str) -> None:
    assert all(abs(a - b) <= 6 for a, b in zip(found, expected, strict=True)), (place, found)


# --- The map --------------------------------------------------------------------------------


@pytest.fixture
def centres(alice_org: Organisation, carol_org: Organisation) -> dict[str, TrainingCentre]:
    uppsala = TrainingCentreFactory.create(
        organisation=alice_org,
        name="Geoskolan Uppsala",
        city="Uppsala",
        latitude=Decimal("59.858600"),
        longitude=Decimal("17.638900"),
    )
    malmo = TrainingCentreFactory.create(
        organisation=alice_org,
        name="Geoskolan Malmö",
        city="Malmö",
        latitude=Decimal("55.604981"),
        longitude=Decimal("13.003822"),
    )
    london = TrainingCentreFactory.create(
        organisation=carol_org,
        name="Carto Lab Shoreditch",
        city="London",
        country="GB",
        latitude=Decimal("51.526500"),
        longitude=Decimal("-0.078400"),
    )
    CourseFactory.create(
        organisation=alice_org,
        training_centre=uppsala,
        course_type__title="QGIS för kommuner",
        starts_on=datetime.date.today() + datetime.timedelta(days=20),
    )
    return {"uppsala": uppsala, "malmo": malmo, "london": london}


def test_a_visitor_finds_the_centres_on_the_map_and_opens_one(
    page: Page, centres: dict[str, TrainingCentre], test_output_dir: Path
) -> None:
    problems = PageProblems(page)
    page.goto("/organisations/")

    the_map = wait_for_map(page, "ready")
    expect(the_map).to_have_attribute("data-map-markers", "3")
    markers = the_map.locator(".map-marker")
    expect(markers).to_have_count(3)
    wait_for_outlines(page, "752 826")  # Sweden and the United Kingdom, ISO numeric
    selector = ".map[data-geojson-url]"
    assert_colour(pixel_at(page, selector, 57.5, 14.5), CERTIFIED, "Småland, Sweden")
    assert_colour(pixel_at(page, selector, 52.2, -0.5), CERTIFIED, "Bedfordshire, England")
    assert_colour(pixel_at(page, selector, 59.5, 9.0), LAND, "Telemark, Norway")
    assert_colour(pixel_at(page, selector, 53.0, 10.0), LAND, "Lower Saxony, Germany")
    assert_colour(pixel_at(page, selector, 56.0, 3.0), SEA, "the North Sea")

    marker = page.get_by_role("button", name="Geoskolan AB: Geoskolan Uppsala, Uppsala")
    marker.click()
    popup = the_map.locator(".leaflet-popup-content")
    expect(popup.get_by_role("link", name="Geoskolan AB")).to_have_attribute(
        "href", reverse("directory:organisation_public", args=["geoskolan"])
    )
    expect(popup).to_contain_text("Geoskolan Uppsala, Uppsala")
    expect(popup.get_by_role("link", name="QGIS för kommuner")).to_be_visible()
    expect(the_map.get_by_role("button", name="Close")).to_be_visible()
    wait_until_inside_the_map(page, ".leaflet-popup")
    (test_output_dir / "map").mkdir(exist_ok=True)
    page.screenshot(path=test_output_dir / "map" / "organisations.png", full_page=True)

    problems.assert_none()


def test_a_marker_opens_from_the_keyboard_and_escape_returns_to_it(
    page: Page, centres: dict[str, TrainingCentre]
) -> None:
    problems = PageProblems(page)
    page.goto("/organisations/")
    the_map = wait_for_map(page, "ready")

    marker = page.get_by_role("button", name="Carto Lab Ltd: Carto Lab Shoreditch, London")
    marker.focus()
    page.keyboard.press("Enter")
    popup = the_map.locator(".leaflet-popup-content")
    expect(popup.get_by_role("link", name="Carto Lab Ltd")).to_be_visible()
    expect(popup).to_contain_text("No upcoming public course here yet.")
    expect(popup).to_be_focused()
    page.keyboard.press("Escape")
    expect(popup).to_have_count(0)
    expect(marker).to_be_focused()

    problems.assert_none()


def test_a_cluster_of_centres_zooms_in_when_pressed(
    page: Page, alice_org: Organisation, carol_org: Organisation
) -> None:
    for number in range(12):
        TrainingCentreFactory.create(
            organisation=alice_org,
            name=f"Geoskolan {number}",
            latitude=Decimal("59.33") + Decimal(number) / 1000,
        )
    TrainingCentreFactory.create(
        organisation=carol_org,
        city="London",
        country="GB",
        latitude=Decimal("51.5265"),
        longitude=Decimal("-0.0784"),
    )
    problems = PageProblems(page)
    page.goto("/organisations/")
    the_map = wait_for_map(page, "ready")
    expect(the_map).to_have_attribute("data-map-markers", "13")

    cluster = page.get_by_role(
        "button", name="12 training centres here. Press Enter or click to zoom in."
    )
    expect(cluster).to_have_text("12")
    zoom = the_map.evaluate("element => element.leafletMap.getZoom()")
    cluster.click()
    page.wait_for_function(
        "zoom => document.querySelector('.map').leafletMap.getZoom() > zoom", arg=zoom
    )

    problems.assert_none()


def test_an_organisation_page_maps_only_its_own_centres(
    page: Page, centres: dict[str, TrainingCentre]
) -> None:
    problems = PageProblems(page)
    page.goto(reverse("directory:organisation_public", args=["geoskolan"]))

    the_map = wait_for_map(page, "ready")
    expect(the_map).to_have_class(re.compile(r"\bmap-small\b"))
    expect(the_map).to_have_attribute("data-map-markers", "2")
    expect(page.get_by_role("button", name=re.compile("^Geoskolan AB: "))).to_have_count(2)
    expect(page.get_by_role("button", name=re.compile("^Carto Lab Ltd: "))).to_have_count(0)
    wait_for_outlines(page, "752")

    problems.assert_none()


def test_with_a_tile_server_the_map_draws_its_tiles_and_credits_them_as_text(
    page: Page, centres: dict[str, TrainingCentre], settings: Any
) -> None:
    # Any image of the site stands in for the tiles: nothing may leave the machine.
    settings.MAP_TILE_URL = "/static/favicon.svg?z={z}&x={x}&y={y}"
    settings.MAP_TILE_ATTRIBUTION = "© Test Tiles <b>contributors</b>"
    problems = PageProblems(page)
    page.goto("/organisations/")

    the_map = wait_for_map(page, "ready")
    expect(the_map.locator("img.leaflet-tile-loaded").first).to_be_visible()
    expect(the_map.locator(".leaflet-control-attribution")).to_contain_text(
        "© Test Tiles <b>contributors</b>"
    )
    wait_for_outlines(page, "752 826")
    shaded = the_map.evaluate(
        """element => {
            let count = 0;
            element.leafletMap.eachLayer((layer) => {
                if (layer.feature && layer.options.fillOpacity < 1) count += 1;
            });
            return count;
        }"""
    )
    assert shaded == 2  # only the certified countries, translucent over the tiles

    problems.assert_none()


def test_with_no_centre_the_map_says_so_and_draws_the_world_without_stripes(
    page: Page, alice_org: Organisation, test_output_dir: Path
) -> None:
    problems = PageProblems(page)
    page.goto("/organisations/")

    the_map = wait_for_map(page, "empty")
    expect(the_map.get_by_role("status")).to_have_text("No training centre to show on the map.")
    expect(the_map).to_have_attribute("data-map-markers", "0")
    wait_for_outlines(page, "")
    the_map.evaluate("element => { element.leafletMap.setView([0, 0], 1, {animate: false}); }")
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done)))")
    (test_output_dir / "map").mkdir(exist_ok=True)
    the_map.screenshot(path=test_output_dir / "map" / "world.png")
    selector = ".map[data-geojson-url]"
    # A ring stepping from +180° to -180° would draw land right across these seas.
    assert_colour(
        pixel_at(page, selector, 69.0, 2.0), SEA, "the Norwegian Sea, Chukotka's latitude"
    )
    assert_colour(
        pixel_at(page, selector, 71.0, -150.0), SEA, "the Beaufort Sea, Wrangel's latitude"
    )
    assert_colour(
        pixel_at(page, selector, -16.5, -30.0), SEA, "the South Atlantic, Fiji's latitude"
    )
    assert_colour(pixel_at(page, selector, -55.0, 0.0), SEA, "the Southern Ocean")
    # Chukotka and Antarctica are there, on both sides of the antimeridian.
    assert_colour(pixel_at(page, selector, 66.5, 175.0), LAND, "Chukotka west of 180°")
    assert_colour(pixel_at(page, selector, 66.5, -173.0), LAND, "Chukotka east of 180°")
    assert_colour(pixel_at(page, selector, -80.0, 30.0), LAND, "Antarctica")

    problems.assert_none()


# --- The training-centre picker ---------------------------------------------------------------


def test_an_owner_places_a_new_training_centre_with_the_map(
    page: Page, alice: User, alice_org: Organisation, test_output_dir: Path
) -> None:
    problems = PageProblems(page)
    log_in(page, alice)
    page.goto(reverse("training:training_centre_create", args=[alice_org.slug]))
    picker = page.get_by_role("region", name="Map to pick the place of the training centre")
    expect(picker).to_be_visible()
    expect(picker).to_have_attribute("data-map-shaded", "")  # the outlines are drawn
    latitude, longitude = page.get_by_label("Latitude"), page.get_by_label("Longitude")

    # Typed coordinates move the marker; something that is not one leaves it where it is.
    latitude.fill("59,8586")  # a comma, as the form accepts
    longitude.fill("17.6389")
    expect(picker.locator(".map-marker")).to_have_count(1)
    page.wait_for_function(
        """([latitude, longitude]) => {
            const centre = document.querySelector("[data-centre-picker]").leafletMap.getCenter();
            return Math.abs(centre.lat - latitude) < 1e-6 && Math.abs(centre.lng - longitude) < 1e-6;
        }""",
        arg=[59.8586, 17.6389],
    )
    centre = picker.evaluate("element => element.leafletMap.getCenter()")
    longitude.fill("east of Uppsala")
    assert picker.evaluate("element => element.leafletMap.getCenter()") == centre

    # A click on the map, a little east of the typed place, fills in both fields.
    box = picker.bounding_box()
    assert box is not None
    picker.evaluate(
        """element => {
            element.leafletMap.once("click", (event) => {
                const place = event.latlng.wrap();
                element.dataset.clicked = place.lat.toFixed(6) + " " + place.lng.toFixed(6);
            });
        }"""
    )
    page.mouse.click(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2 + 20)
    expect(picker).to_have_attribute("data-clicked", re.compile(r"^5\d\.\d{6} 1\d\.\d{6}$"))
    clicked = (picker.get_attribute("data-clicked") or "").split()
    expect(latitude).to_have_value(clicked[0])
    expect(longitude).to_have_value(clicked[1])
    expect(page.get_by_role("status").filter(has_text="filled in from the map")).to_have_text(
        f"Latitude {clicked[0]} and longitude {clicked[1]} filled in from the map."
    )
    (test_output_dir / "map").mkdir(exist_ok=True)
    page.screenshot(path=test_output_dir / "map" / "centre-picker.png", full_page=True)

    page.get_by_label("Name").fill("Geoskolan Uppsala")
    page.get_by_label("Address").fill("Kungsgatan 1")
    page.get_by_label("City").fill("Uppsala")
    page.get_by_role("button", name="Add the training centre").click()
    expect(page.get_by_role("status").filter(has_text="is added")).to_be_visible()
    saved = TrainingCentre.objects.get(organisation=alice_org, name="Geoskolan Uppsala")
    assert (saved.latitude, saved.longitude) == (Decimal(clicked[0]), Decimal(clicked[1]))

    problems.assert_none()
