"""Public pages cached whole for anonymous visitors, per address and language."""

import pytest
from django.core.cache import cache, caches
from django.test import Client

from certification.accounts.models import User
from certification.organisations.models import Organisation
from certification.training.tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings) -> None:
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    cache.clear()
    caches["pages"].clear()


def test_an_anonymous_visitor_gets_the_page_from_the_cache(
    client: Client, alice_org: Organisation, django_assert_num_queries
) -> None:
    CourseFactory.create(organisation=alice_org, course_type__title="QGIS basics")
    first = client.get("/courses/")

    with django_assert_num_queries(0):
        again = client.get("/courses/")

    assert again.status_code == 200
    assert again.content == first.content
    assert "QGIS basics" in again.content.decode()
    assert again["Content-Type"] == "text/html; charset=utf-8"
    assert "Cookie" in again["Vary"]


def test_each_address_and_language_is_cached_apart(client: Client, alice_org) -> None:
    english = client.get("/courses/").content.decode()
    swedish = client.get("/courses/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    online = client.get("/courses/", {"mode": "online"})

    assert "Upcoming courses" in english
    assert "Kommande kurser" in swedish
    assert online.content.decode() != english


def test_the_cached_page_carries_no_visitors_token(client: Client) -> None:
    response = client.get("/")

    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "csrftoken" not in response.cookies


def test_logged_in_people_get_their_own_page(
    client_for, alice: User, alice_org: Organisation
) -> None:
    Client().get("/courses/")  # an anonymous visit fills the cache
    client = client_for(alice)

    response = client.get("/courses/")

    content = response.content.decode()
    assert 'href="/dashboard/"' in content  # her navigation, not the anonymous page
    assert "csrfmiddlewaretoken" in content


def test_new_data_shows_when_the_cached_page_expires(client: Client, alice_org) -> None:
    client.get("/courses/")
    CourseFactory.create(organisation=alice_org, course_type__title="Brand new course")

    stale = client.get("/courses/").content.decode()
    caches["pages"].clear()  # what PUBLIC_PAGE_CACHE_SECONDS later does
    fresh = client.get("/courses/").content.decode()

    assert "Brand new course" not in stale
    assert "Brand new course" in fresh


def test_anonymous_visitors_switch_the_language_from_a_cached_page() -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/")

    response = client.post("/i18n/setlang/", {"language": "sv", "next": "/courses/"})

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "sv"


def test_a_logged_in_persons_language_changes_only_with_the_csrf_check(
    alice: User,
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    refused = client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    alice.refresh_from_db()
    assert refused.status_code == 403
    assert alice.preferred_language != "sv"

    token = client.get("/accounts/profile/").context["csrf_token"]
    accepted = client.post(
        "/i18n/setlang/", {"language": "sv", "next": "/", "csrfmiddlewaretoken": str(token)}
    )
    alice.refresh_from_db()
    assert accepted.status_code == 302
    assert alice.preferred_language == "sv"


def test_a_certificates_page_is_cached_until_it_is_revoked(
    client: Client,
    alice: User,
    alice_org: Organisation,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
) -> None:
    from certification.certificates.services import revoke_certificate
    from certification.certificates.tests.factories import approved_course, issue

    [certificate] = issue(approved_course(alice_org, attendees=1), by=alice)
    url = f"/verify/{certificate.code}/"
    client.get(url)
    with django_assert_num_queries(0):
        cached = client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        revoke_certificate(certificate, by=alice, reason="Issued by mistake")
    after = client.get(url)

    assert "Valid" in cached.content.decode()
    assert "Issued by mistake" in after.content.decode()


def test_made_up_or_long_parameters_are_rendered_not_cached(
    client: Client, alice_org, django_assert_max_num_queries
) -> None:
    client.get("/courses/", {"utm_source": "x"})
    with django_assert_max_num_queries(50) as rendered:
        client.get("/courses/", {"utm_source": "x"})
    client.get("/courses/", {"words": "q" * 150})
    with django_assert_max_num_queries(50) as long_one:
        client.get("/courses/", {"words": "q" * 150})

    assert rendered.captured_queries  # rendered again each time
    assert long_one.captured_queries


def test_many_pages_never_push_out_a_counter(client: Client) -> None:
    cache.set("login-failures", 4)
    for number in range(120):
        client.get("/courses/", {"page": str(number)})

    assert cache.get("login-failures") == 4
    assert caches["pages"] is not cache


def test_a_page_rendered_before_a_revocation_is_never_served_after_it(
    client: Client, alice: User, alice_org: Organisation
) -> None:
    from django.test import RequestFactory

    from certification.certificates.links import verification_page_cache_key
    from certification.core import pagecache

    request = RequestFactory().get("/verify/QGIS-TEST/")
    _cached, version = pagecache.get(request, verification_page_cache_key("QGIS-TEST"))
    pagecache.forget(verification_page_cache_key("QGIS-TEST"))  # the revocation commits meanwhile
    from django.http import HttpResponse

    pagecache.put(request, verification_page_cache_key("QGIS-TEST"), version, HttpResponse("Valid"))

    cached, _version = pagecache.get(request, verification_page_cache_key("QGIS-TEST"))
    assert cached is None
