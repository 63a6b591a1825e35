"""The public catalogue: /organisations/ with its map data, /courses/, course pages, home.

Only certified organisations appear, never their private courses; every page runs a constant
number of queries however much there is to show."""

import datetime
import gzip
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

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

GEOJSON = "/organisations/map.geojson"


def centre(organisation: Organisation, city: str, country: str, lat: str, lon: str):
    return TrainingCentreFactory.create(
        organisation=organisation,
        name=f"{city} centre",
        city=city,
        country=country,
        latitude=Decimal(lat),
        longitude=Decimal(lon),
    )


@pytest.fixture
def world(db) -> dict[str, Organisation]:
    """Certified organisations in Sweden and Germany, and three that must never show."""
    sweden = OrganisationFactory.create(legal_name="Geoskolan AB", slug="geoskolan", country="SE")
    centre(sweden, "Göteborg", "SE", "57.708870", "11.974560")
    germany = OrganisationFactory.create(legal_name="Karten GmbH", slug="karten", country="DE")
    centre(germany, "Berlin", "DE", "52.520008", "13.404954")
    hidden = {}
    for status in ("suspended", "archived", "applicant"):
        organisation = OrganisationFactory.create(
            legal_name=f"Hidden {status}", slug=f"hidden-{status}", country="SE", status=status
        )
        centre(organisation, "Malmö", "SE", "55.604981", "13.003822")
        hidden[status] = organisation
    return {"sweden": sweden, "germany": germany, **hidden}


# --- /organisations/ --------------------------------------------------------------------------


def test_the_list_shows_certified_organisations_only(client: Client, world) -> None:
    content = client.get("/organisations/").content.decode()

    assert "Geoskolan AB" in content
    assert "Karten GmbH" in content
    assert "Hidden" not in content
    assert "Göteborg" in content


@pytest.mark.parametrize(
    ("query", "shown", "not_shown"),
    [
        ({"country": "SE"}, "Geoskolan AB", "Karten GmbH"),
        ({"q": "berlin"}, "Karten GmbH", "Geoskolan AB"),
        ({"q": "geoskolan"}, "Geoskolan AB", "Karten GmbH"),
    ],
)
def test_the_list_filters(client: Client, world, query, shown, not_shown) -> None:
    response = client.get("/organisations/", query)

    content = response.content.decode()
    assert shown in content
    assert not_shown not in content


def test_the_list_filters_by_course_language_and_words(client: Client, world) -> None:
    CourseTypeFactory.create(
        organisation=world["germany"],
        title="Fernerkundung mit QGIS",
        languages=["de"],
        status="approved",
    )
    CourseTypeFactory.create(organisation=world["sweden"], title="QGIS grund", languages=["sv"])

    by_language = client.get("/organisations/", {"language": "de"}).content.decode()
    by_words = client.get("/organisations/", {"words": "fernerkundung"}).content.decode()

    assert "Karten GmbH" in by_language
    assert "Geoskolan AB" not in by_language
    # A draft course type does not count.
    assert "Karten GmbH" in by_words
    assert "Geoskolan AB" not in by_words


def test_the_country_is_named_in_the_visitors_language(client: Client, world) -> None:
    response = client.get("/organisations/", {"country": "DE"}, HTTP_ACCEPT_LANGUAGE="sv")

    assert "Tyskland" in response.content.decode()
    assert "Germany" not in response.content.decode()


def test_a_filter_that_matches_nothing_says_so(client: Client, world) -> None:
    content = client.get("/organisations/", {"q": "nowhere"}).content.decode()

    assert "No certified organisation matches these filters." in content


def test_a_bad_filter_value_is_ignored_not_an_error(client: Client, world) -> None:
    response = client.get("/organisations/", {"country": "XX", "page": "abc"})

    assert response.status_code == 200
    assert "Geoskolan AB" in response.content.decode()


# --- The map's GeoJSON --------------------------------------------------------------------------


def test_the_geojson_has_every_public_centre_in_lon_lat_order(client: Client, world) -> None:
    response = client.get(GEOJSON)

    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    by_city = {feature["properties"]["city"]: feature for feature in data["features"]}
    assert set(by_city) == {"Göteborg", "Berlin"}
    goteborg = by_city["Göteborg"]
    assert goteborg["type"] == "Feature"
    assert goteborg["geometry"] == {"type": "Point", "coordinates": [11.97456, 57.70887]}
    assert goteborg["properties"]["org"] == "Geoskolan AB"
    assert goteborg["properties"]["slug"] == "geoskolan"
    for feature in data["features"]:
        longitude, latitude = feature["geometry"]["coordinates"]
        assert -180 <= longitude <= 180
        assert -90 <= latitude <= 90
    assert data["countries"] == [
        {"code": "DE", "numeric": "276", "name": "Germany", "organisations": 1},
        {"code": "SE", "numeric": "752", "name": "Sweden", "organisations": 1},
    ]


def test_the_geojson_takes_the_lists_filters(client: Client, world) -> None:
    data = client.get(GEOJSON, {"country": "DE"}).json()

    assert [f["properties"]["city"] for f in data["features"]] == ["Berlin"]


def test_the_geojson_can_be_cached_and_revalidated(client: Client, world) -> None:
    first = client.get(GEOJSON)
    etag = first["ETag"]

    again = client.get(GEOJSON, HTTP_IF_NONE_MATCH=etag)
    since = client.get(GEOJSON, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    centre(world["sweden"], "Umeå", "SE", "63.825847", "20.263035")
    changed = client.get(GEOJSON, HTTP_IF_NONE_MATCH=etag)

    assert first["Cache-Control"] == "public, max-age=300"
    assert first["Last-Modified"]
    assert again.status_code == 304
    assert since.status_code == 304
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_the_geojson_costs_the_same_few_queries_with_ten_times_the_data(
    client: Client, world, django_assert_num_queries
) -> None:
    with django_assert_num_queries(2):
        client.get(GEOJSON)
    for number in range(20):
        organisation = OrganisationFactory.create()
        centre(organisation, f"City {number}", "SE", "59.3", "18.0")

    with django_assert_num_queries(2):
        response = client.get(GEOJSON)

    assert len(response.json()["features"]) == 22


def test_a_popup_shows_the_organisation_and_its_next_courses_there(client: Client, world) -> None:
    here = world["sweden"].training_centres.get()
    public = CourseFactory.create(organisation=world["sweden"], training_centre=here)
    CourseFactory.create(organisation=world["sweden"], training_centre=here, is_public=False)

    response = client.get(f"/organisations/map/centres/{here.public_id}/")

    content = response.content.decode()
    assert "Geoskolan AB" in content
    assert "Göteborg" in content
    assert f"/courses/{public.public_id}/" in content
    assert content.count("/courses/") == 2  # the course, and "all courses" of the organisation


def test_no_popup_for_a_centre_of_a_suspended_organisation(client: Client, world) -> None:
    hidden = world["suspended"].training_centres.get()

    assert client.get(f"/organisations/map/centres/{hidden.public_id}/").status_code == 404


# --- /courses/ --------------------------------------------------------------------------------


def test_courses_lists_upcoming_public_courses_of_certified_organisations(
    client: Client, world
) -> None:
    shown = CourseFactory.create(organisation=world["sweden"], course_type__title="QGIS basics")
    CourseFactory.create(
        organisation=world["sweden"], course_type__title="Private one", is_public=False
    )
    CourseFactory.create(
        organisation=world["sweden"],
        course_type__title="Long ago",
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2020, 1, 2),
    )
    CourseFactory.create(organisation=world["suspended"], course_type__title="Suspended one")

    content = client.get("/courses/").content.decode()

    assert f"/courses/{shown.public_id}/" in content
    for absent in ("Private one", "Long ago", "Suspended one"):
        assert absent not in content


def test_courses_filter_by_country_language_mode_dates_organisation_and_words(
    client: Client, world
) -> None:
    today = timezone.localdate()
    sweden, germany = world["sweden"], world["germany"]
    CourseFactory.create(organisation=sweden, language="sv", course_type__title="Kartor")
    CourseFactory.create(
        organisation=sweden, online=True, language="en", course_type__title="Webinar"
    )
    CourseFactory.create(
        organisation=germany,
        training_centre=germany.training_centres.get(),
        language="de",
        course_type__title="Fernerkundung",
        starts_on=today + datetime.timedelta(days=90),
        ends_on=today + datetime.timedelta(days=91),
    )

    def titles(**query: str) -> set[str]:
        page = client.get("/courses/", query).context["page"]
        return {course.course_type.title for course in page.object_list}

    assert titles(country="SE") == {"Kartor", "Webinar"}  # online: its organisation's country
    assert titles(language="de") == {"Fernerkundung"}
    assert titles(mode="online") == {"Webinar"}
    assert titles(mode="in_person") == {"Kartor", "Fernerkundung"}
    assert titles(starts_after=str(today + datetime.timedelta(days=60))) == {"Fernerkundung"}
    assert titles(starts_before=str(today + datetime.timedelta(days=60))) == {"Kartor", "Webinar"}
    assert titles(organisation="karten") == {"Fernerkundung"}
    assert titles(words="kartor") == {"Kartor"}


def test_courses_cost_the_same_queries_with_ten_times_the_data(
    client: Client, world, django_assert_max_num_queries
) -> None:
    trainer = TrainerFactory.create(organisation=world["sweden"])
    for _ in range(3):
        CourseFactory.create(organisation=world["sweden"], trainers=[trainer])
    client.get("/courses/")
    with django_assert_max_num_queries(50) as few:
        client.get("/courses/")
    for _ in range(27):
        CourseFactory.create(organisation=world["sweden"], trainers=[trainer])

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/courses/")

    assert response.context["page"].paginator.count == 30


def test_the_course_page_has_what_a_learner_needs(client: Client, world) -> None:
    trainer = TrainerFactory.create(organisation=world["sweden"], name="Bob Berg")
    course = CourseFactory.create(
        organisation=world["sweden"],
        trainers=[trainer],
        registration_url="https://geoskolan.example/anmalan",
        course_type__title="QGIS basics",
        course_type__learning_outcomes="Load data\nPrint a map",
        language="sv",
    )

    content = client.get(f"/courses/{course.public_id}/").content.decode()

    assert course.training_centre is not None
    for expected in (
        "QGIS basics",
        "Geoskolan AB",
        "Bob Berg",
        "Swedish",
        "Print a map",
        'href="https://geoskolan.example/anmalan"',
        course.training_centre.name,
    ):
        assert expected in content, expected


@pytest.mark.parametrize("case", ["private", "suspended"])
def test_a_private_course_or_one_of_a_suspended_organisation_is_not_found(
    client: Client, world, case: str
) -> None:
    if case == "private":
        course = CourseFactory.create(organisation=world["sweden"], is_public=False)
    else:
        course = CourseFactory.create(organisation=world["suspended"])

    assert client.get(f"/courses/{course.public_id}/").status_code == 404


# --- Home and the organisation's page -----------------------------------------------------------


def test_home_shows_the_map_the_next_courses_and_the_verify_box(client: Client, world) -> None:
    course = CourseFactory.create(organisation=world["sweden"], course_type__title="QGIS basics")

    content = client.get("/").content.decode()

    assert f"/courses/{course.public_id}/" in content
    assert 'action="/verify/"' in content
    assert 'href="/apply/"' in content
    assert "/organisations/map.geojson" in content


def test_home_costs_the_same_queries_with_more_courses(
    client: Client, world, django_assert_max_num_queries
) -> None:
    CourseFactory.create(organisation=world["sweden"])
    client.get("/")
    with django_assert_max_num_queries(50) as few:
        client.get("/")
    for _ in range(10):
        CourseFactory.create(organisation=world["germany"])

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/")


def test_the_organisation_page_lists_its_centres_and_upcoming_public_courses(
    client: Client, world
) -> None:
    public = CourseFactory.create(organisation=world["sweden"], course_type__title="QGIS basics")
    private = CourseFactory.create(organisation=world["sweden"], is_public=False)

    content = client.get("/organisations/geoskolan/").content.decode()

    assert f"/courses/{public.public_id}/" in content
    assert f"/courses/{private.public_id}/" not in content
    assert "Göteborg centre" in content
    assert "/organisations/map.geojson?organisation=geoskolan" in content
    assert Course.objects.count() == 2


def test_every_page_leads_to_the_catalogue_and_the_statistics(client: Client, world) -> None:
    content = client.get("/verify/").content.decode()

    navigation = content.split('class="main-nav"')[1].split("</nav>")[0]
    assert 'href="/organisations/"' in navigation
    assert 'href="/courses/"' in navigation
    assert 'href="/statistics/"' in content.split("<footer")[1]


def test_the_geojson_is_compressed_for_clients_that_accept_it(client: Client, world) -> None:
    response = client.get(GEOJSON, HTTP_ACCEPT_ENCODING="gzip")
    again = client.get(GEOJSON, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=response["ETag"])

    assert response["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.content))["type"] == "FeatureCollection"
    assert "Accept-Encoding" in response["Vary"]
    assert again.status_code == 304
