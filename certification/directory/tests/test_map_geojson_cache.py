"""The map's GeoJSON is served from the cache as ready bytes, and rebuilt when what it shows
changes: a training centre, an organisation's status, a newly certified organisation."""

import gzip
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import brotli  # type: ignore[import-untyped]  # ships no type information
import pytest
from django.core.cache import caches
from django.test import Client
from django.utils.http import http_date

from certification.accounts.models import User
from certification.accounts.tests.factories import UserFactory, enable_totp
from certification.applications import services as applications
from certification.applications.tests.factories import in_initial_review_through_services
from certification.core import mapversion
from certification.core.mapversion import (
    VERSION_KEY,
    forget_read_version,
    map_changed,
    map_version,
)
from certification.directory import mapdata
from certification.directory.queries import OrganisationFilter
from certification.organisations.models import Organisation
from certification.organisations.services import change_status
from certification.organisations.tests.factories import OrganisationFactory
from certification.training import services as training
from certification.training.models import TrainingCentre
from certification.training.tests.factories import CourseTypeFactory, TrainingCentreFactory

pytestmark = pytest.mark.django_db

GEOJSON = "/organisations/map.geojson"


@pytest.fixture(autouse=True)
def _cache_on(settings: Any) -> Iterator[None]:
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    caches["pages"].clear()
    forget_read_version()
    yield
    caches["pages"].clear()
    forget_read_version()


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """`with committed():` runs what the services leave for after the commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def karten(db: None) -> Organisation:
    organisation = OrganisationFactory.create(legal_name="Karten GmbH", slug="karten", country="DE")
    TrainingCentreFactory.create(organisation=organisation, city="Berlin", country="DE")
    return organisation


@pytest.fixture
def goteborg(alice_org: Organisation, karten: Organisation) -> TrainingCentre:
    centre: TrainingCentre = TrainingCentreFactory.create(
        organisation=alice_org, city="Göteborg", country="SE"
    )
    return centre


def cities(response: Any) -> set[str]:
    return {feature["properties"]["city"] for feature in json.loads(response.content)["features"]}


def test_the_second_request_is_served_from_the_cache_without_a_query(
    client: Client, goteborg: TrainingCentre, django_assert_num_queries: Any
) -> None:
    first = client.get(GEOJSON)

    with django_assert_num_queries(0):
        again = client.get(GEOJSON)

    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"]
    assert again["Content-Type"] == "application/geo+json"
    assert again["Cache-Control"] == "public, max-age=300"
    assert cities(again) == {"Göteborg", "Berlin"}


def test_a_miss_builds_the_map_in_one_query(
    client: Client, goteborg: TrainingCentre, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        assert client.get(GEOJSON).status_code == 200


def test_a_new_centre_changes_the_bytes_and_the_etag(
    client: Client, alice: User, goteborg: TrainingCentre, committed: Any
) -> None:
    before = client.get(GEOJSON)
    with committed():
        training.add_training_centre(
            goteborg.organisation,
            TrainingCentre(
                name="Umeå centre",
                address="Storgatan 1",
                city="Umeå",
                country="SE",
                latitude=Decimal("63.825847"),
                longitude=Decimal("20.263035"),
            ),
            by=alice,
        )

    after = client.get(GEOJSON, HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert cities(after) == {"Göteborg", "Berlin", "Umeå"}


def test_a_changed_or_deleted_centre_changes_the_map(
    client: Client, alice: User, goteborg: TrainingCentre, committed: Any
) -> None:
    first = client.get(GEOJSON)
    goteborg.city = "Mölndal"
    with committed():
        training.update_training_centre(goteborg, by=alice, fields=["city"])
    moved = client.get(GEOJSON)
    with committed():
        training.delete_training_centre(goteborg, by=alice)
    gone = client.get(GEOJSON)

    assert cities(moved) == {"Mölndal", "Berlin"}
    assert cities(gone) == {"Berlin"}
    assert len({first["ETag"], moved["ETag"], gone["ETag"]}) == 3


def test_a_suspended_organisation_leaves_the_map_and_comes_back_when_reinstated(
    client: Client, rita: User, goteborg: TrainingCentre, committed: Any
) -> None:
    organisation = goteborg.organisation
    first = client.get(GEOJSON)
    with committed():
        change_status(organisation, by=rita, status="suspended", reason="Unpaid invoices.")
    suspended = client.get(GEOJSON)
    with committed():
        change_status(organisation, by=rita, status="certified", reason="Paid.")
    reinstated = client.get(GEOJSON)

    assert cities(suspended) == {"Berlin"}
    assert suspended["ETag"] != first["ETag"]
    assert cities(reinstated) == {"Göteborg", "Berlin"}
    assert reinstated["ETag"] not in (first["ETag"], suspended["ETag"])


def test_a_newly_certified_organisation_appears_on_the_map_and_in_its_filters(
    client: Client, rita: User, paula: User, karten: Organisation, committed: Any
) -> None:
    application = in_initial_review_through_services(rita, country="TZ", name="Dar Mapping Ltd")
    applications.send_to_community_review(application, by=rita)
    # A centre kept from an earlier certification (an archived organisation that re-applied).
    TrainingCentreFactory.create(organisation=application.organisation, city="Dar", country="TZ")
    before = client.get(GEOJSON)
    in_swedish_before = client.get(GEOJSON, {"language": "sv"})

    with committed():
        applications.record_decision(
            application, by=paula, outcome="approve", rationale="Strong community record."
        )
    after = client.get(GEOJSON)
    in_swedish = client.get(GEOJSON, {"language": "sv"})

    assert cities(before) == {"Berlin"}
    assert cities(after) == {"Berlin", "Dar"}
    assert after["ETag"] != before["ETag"]
    # Its course types, taught in Swedish, are approved with it.
    assert cities(in_swedish_before) == set()
    assert cities(in_swedish) == {"Dar"}


def test_an_approved_course_type_changes_the_maps_language_filter(
    client: Client, alice: User, rita: User, goteborg: TrainingCentre, committed: Any
) -> None:
    course_type = CourseTypeFactory.create(
        organisation=goteborg.organisation, languages=["fi"], status="proposed"
    )
    before = client.get(GEOJSON, {"language": "fi"})
    with committed():
        training.review_course_type(course_type, by=rita, approve=True, comment="")
    after = client.get(GEOJSON, {"language": "fi"})

    assert cities(before) == set()
    assert cities(after) == {"Göteborg"}


def test_the_etag_and_the_date_still_answer_304_without_a_query(
    client: Client, goteborg: TrainingCentre, django_assert_num_queries: Any
) -> None:
    first = client.get(GEOJSON)

    with django_assert_num_queries(0):
        by_tag = client.get(GEOJSON, HTTP_IF_NONE_MATCH=first["ETag"])
        by_date = client.get(GEOJSON, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        older = client.get(GEOJSON, HTTP_IF_MODIFIED_SINCE=http_date(0))

    assert by_tag.status_code == 304
    assert by_tag.content == b""
    assert by_tag["ETag"] == first["ETag"]
    assert "Accept-Encoding" in by_tag["Vary"]
    assert by_date.status_code == 304
    assert older.status_code == 200


def test_a_304_needs_no_bytes_from_the_cache(client: Client, goteborg: TrainingCentre) -> None:
    first = client.get(GEOJSON)
    key = mapdata._key("", version=map_version(), language="en")
    caches["pages"].delete_many([f"{key}:{name}" for name in ("identity", *mapdata.ENCODINGS)])

    assert client.get(GEOJSON, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_gzip_brotli_and_identity_bodies_are_the_same_json(
    client: Client, goteborg: TrainingCentre
) -> None:
    identity = client.get(GEOJSON, HTTP_ACCEPT_ENCODING="identity")
    gzipped = client.get(GEOJSON, HTTP_ACCEPT_ENCODING="gzip, deflate")
    brotlied = client.get(GEOJSON, HTTP_ACCEPT_ENCODING="gzip, deflate, br, zstd")
    refused = client.get(GEOJSON, HTTP_ACCEPT_ENCODING="br;q=0, gzip;q=0.5")
    plain = client.get(GEOJSON)

    assert not identity.has_header("Content-Encoding")
    assert not plain.has_header("Content-Encoding")
    assert gzipped["Content-Encoding"] == "gzip"
    assert brotlied["Content-Encoding"] == "br"
    assert refused["Content-Encoding"] == "gzip"
    data = json.loads(identity.content)
    assert json.loads(plain.content) == data
    assert json.loads(gzip.decompress(gzipped.content)) == data
    assert json.loads(brotli.decompress(brotlied.content)) == data
    for response in (identity, gzipped, brotlied):
        assert response["Vary"] == "Cookie, Accept-Language, Accept-Encoding"
    # The compressed bodies are not the JSON's bytes: their tag is the weak form of its own.
    assert gzipped["ETag"] == brotlied["ETag"] == f"W/{identity['ETag']}"
    again = client.get(GEOJSON, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=gzipped["ETag"])
    assert again.status_code == 304


def test_filtered_variants_are_cached_apart_and_rebuilt_after_a_change(
    client: Client,
    alice: User,
    goteborg: TrainingCentre,
    committed: Any,
    django_assert_num_queries: Any,
) -> None:
    variants = [{"country": "SE"}, {"country": "DE"}, {"organisation": "geoskolan"}, {"q": "berl"}]
    first = [client.get(GEOJSON, query) for query in variants]
    with django_assert_num_queries(0):
        again = [client.get(GEOJSON, query) for query in variants]
    goteborg.city = "Mölndal"
    with committed():
        training.update_training_centre(goteborg, by=alice, fields=["city"])
    after = [client.get(GEOJSON, query) for query in variants]

    assert [cities(response) for response in first] == [
        {"Göteborg"},
        {"Berlin"},
        {"Göteborg"},
        {"Berlin"},
    ]
    assert [response.content for response in again] == [response.content for response in first]
    assert len({response["ETag"] for response in first}) == len(variants)
    assert [cities(response) for response in after] == [
        {"Mölndal"},
        {"Berlin"},
        {"Mölndal"},
        {"Berlin"},
    ]
    assert all(
        new["ETag"] != old["ETag"] for new, old in zip(after, first, strict=True)
    )  # the whole map has a new version


def test_spellings_of_one_query_share_one_cached_map(
    client: Client, goteborg: TrainingCentre, django_assert_num_queries: Any
) -> None:
    sweden = client.get(f"{GEOJSON}?country=SE")

    with django_assert_num_queries(0):
        # Other order, empty parameters, an earlier value the filter form does not read.
        spellings = [
            client.get(f"{GEOJSON}?q=&country=SE"),
            client.get(f"{GEOJSON}?country=DE&words=&country=SE"),
        ]

    assert [response.content for response in spellings] == [sweden.content] * 2
    assert {response["ETag"] for response in spellings} == {sweden["ETag"]}


def test_a_value_the_filters_ignore_is_kept_as_what_they_make_of_it(
    client: Client, goteborg: TrainingCentre
) -> None:
    # An unknown country is ignored, as on /organisations/: the whole map.
    assert cities(client.get(GEOJSON, {"country": "XX"})) == {"Göteborg", "Berlin"}
    assert cities(client.get(GEOJSON, {"country": "XX"})) == {"Göteborg", "Berlin"}


def test_this_process_serves_the_map_it_served_lately_without_reading_the_cache(
    client: Client, goteborg: TrainingCentre, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.get(GEOJSON, HTTP_ACCEPT_ENCODING="gzip")
    pages = caches["pages"]
    read = []
    real_get = pages.get

    def counted(key: str, *args: Any) -> Any:
        read.append(key)
        return real_get(key, *args)

    monkeypatch.setattr(pages, "get", counted)
    response = client.get(GEOJSON, HTTP_ACCEPT_ENCODING="gzip")
    forget_read_version()  # as a second later
    again = client.get(GEOJSON, HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == again.status_code == 200
    assert read == [VERSION_KEY]  # the version, once a second; the bytes from memory


def test_a_process_keeps_no_more_recent_maps_than_its_limit() -> None:
    recent = mapdata._Recent(limit=10)
    recent.put("a", (b"12345", None))
    recent.put("b", (b"12345", None))
    assert recent.get("a") is not None  # now the most recent
    recent.put("c", (b"123", None))
    recent.put("huge", (b"x" * 11, None))

    assert recent.get("b") is None
    assert recent.get("a") == (b"12345", None)
    assert recent.get("c") == (b"123", None)
    assert recent.get("huge") is None
    assert recent.size == 8


def test_unknown_parameters_and_long_values_are_not_cached(
    client: Client, goteborg: TrainingCentre, django_assert_num_queries: Any
) -> None:
    client.get(GEOJSON)  # the whole map is in the cache
    for query in ({"callback": "x"}, {"q": "b" * 101}):
        client.get(GEOJSON, query)
        # Built for each request, with its validators: the two queries of an uncached map.
        with django_assert_num_queries(2):
            response = client.get(GEOJSON, query)
        assert response.status_code == 200


def test_each_language_has_its_own_map(client: Client, goteborg: TrainingCentre) -> None:
    english = client.get(GEOJSON).json()
    swedish = client.get(GEOJSON, HTTP_ACCEPT_LANGUAGE="sv").json()

    assert {c["name"] for c in english["countries"]} == {"Germany", "Sweden"}
    assert {c["name"] for c in swedish["countries"]} == {"Tyskland", "Sverige"}


def test_with_the_cache_off_the_map_is_built_for_every_request(
    client: Client, settings: Any, goteborg: TrainingCentre, django_assert_num_queries: Any
) -> None:
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    client.get(GEOJSON)

    with django_assert_num_queries(2):
        assert cities(client.get(GEOJSON)) == {"Göteborg", "Berlin"}


# --- The admin changes the map too ---------------------------------------------------------


@pytest.fixture
def superuser_client(client: Client) -> Client:
    user = UserFactory(is_superuser=True, is_staff=True)
    enable_totp(user)
    client.force_login(user)
    return client


def test_a_centre_changed_in_the_admin_changes_the_map(
    superuser_client: Client, goteborg: TrainingCentre, committed: Any
) -> None:
    anonymous = Client()
    before = anonymous.get(GEOJSON)
    with committed():
        response = superuser_client.post(
            f"/admin/training/trainingcentre/{goteborg.pk}/change/",
            {
                "organisation": goteborg.organisation_id,
                "name": goteborg.name,
                "address": goteborg.address,
                "city": "Kiruna",
                "country": "SE",
                "latitude": "67.855800",
                "longitude": "20.225300",
            },
        )
    assert response.status_code == 302
    after = anonymous.get(GEOJSON)

    assert cities(after) == {"Kiruna", "Berlin"}
    assert after["ETag"] != before["ETag"]


def test_centres_deleted_in_the_admin_leave_the_map(
    superuser_client: Client, goteborg: TrainingCentre, committed: Any
) -> None:
    anonymous = Client()
    anonymous.get(GEOJSON)
    with committed():
        superuser_client.post(
            "/admin/training/trainingcentre/",
            {"action": "delete_selected", "_selected_action": [goteborg.pk], "post": "yes"},
        )

    assert not TrainingCentre.objects.filter(pk=goteborg.pk).exists()
    assert cities(anonymous.get(GEOJSON)) == {"Berlin"}


# --- The version and the build ---------------------------------------------------------------


def test_a_lost_version_is_replaced_by_a_new_one_never_an_old_one() -> None:
    first = map_version()
    caches["pages"].delete(VERSION_KEY)
    forget_read_version()

    assert map_version() not in (first, "0", "")
    assert map_version() == map_version()


def test_the_version_changes_only_once_the_change_is_committed(
    django_capture_on_commit_callbacks: Any,
) -> None:
    first = map_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        map_changed()
        assert map_version() == first
    for callback in callbacks:
        callback()

    assert map_version() != first


def test_a_process_reads_the_version_once_a_second_and_sees_its_own_changes_at_once(
    monkeypatch: pytest.MonkeyPatch, committed: Any
) -> None:
    clock = [1000.0]
    monkeypatch.setattr("certification.core.mapversion.time.monotonic", lambda: clock[0])
    forget_read_version()
    first = map_version()
    caches["pages"].set(VERSION_KEY, "changed-by-another-process")

    clock[0] += mapversion.READ_EVERY_SECONDS / 2
    assert map_version() == first
    clock[0] += mapversion.READ_EVERY_SECONDS / 2
    assert map_version() == "changed-by-another-process"
    with committed():
        map_changed()
    assert map_version() not in (first, "changed-by-another-process")


def test_a_request_waits_for_the_map_another_one_is_building(
    goteborg: TrainingCentre, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    filters = OrganisationFilter()
    version = map_version()
    key = mapdata._key("", version=version, language="en")
    caches["pages"].add(f"{key}:building", 1)  # someone else is building it

    def meanwhile(seconds: float) -> None:
        caches["pages"].set(f"{key}:gzip", (b"built by the other request", None))

    monkeypatch.setattr("certification.directory.mapdata.time.sleep", meanwhile)
    with django_assert_num_queries(0):
        found = mapdata.cached_map(
            "", lambda: filters, version=version, language="en", encoding="gzip"
        )

    assert found.body == b"built by the other request"


def test_a_request_builds_the_map_itself_when_the_other_takes_too_long(
    goteborg: TrainingCentre, monkeypatch: pytest.MonkeyPatch
) -> None:
    filters = OrganisationFilter()
    version = map_version()
    key = mapdata._key("", version=version, language="en")
    caches["pages"].add(f"{key}:building", 1)
    monkeypatch.setattr(mapdata, "WAIT_SECONDS", 0.01)
    monkeypatch.setattr(mapdata, "WAIT_STEP_SECONDS", 0.001)

    found = mapdata.cached_map(
        "", lambda: filters, version=version, language="en", encoding="identity"
    )

    assert {f["properties"]["city"] for f in json.loads(found.body)["features"]} == {
        "Göteborg",
        "Berlin",
    }
