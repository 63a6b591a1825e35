"""Rendering the public pages for a logged-in visitor (no whole-page cache): the same few
queries whatever the amount of data, and the shared country list kept no longer than a page."""

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache, caches
from django.test import Client
from django.utils import translation

from certification.accounts.tests.factories import UserFactory
from certification.organisations.models import Organisation
from certification.organisations.tests.factories import OrganisationFactory
from certification.training.models import Course
from certification.training.tests.factories import (
    CourseFactory,
    TrainerFactory,
    TrainingCentreFactory,
)

pytestmark = pytest.mark.django_db

COUNTRIES = ["SE", "DE", "FR", "KE"]
PAGES = [
    "/",
    "/organisations/",
    "/organisations/?country=DE",
    "/organisations/?q=City&language=sv",
    "/courses/",
    "/courses/?country=DE&mode=in_person",
    "/courses/?words=QGIS&language=sv",
    "/statistics/",
]


@pytest.fixture(autouse=True)
def _no_shared_parts() -> Iterator[None]:
    """The parts shared between visitors live beside the pages: none leaks between tests, nor
    the language a request left active."""
    caches["pages"].clear()
    yield
    caches["pages"].clear()
    translation.deactivate()


@pytest.fixture
def visitor() -> Client:
    """Logged in, with no role: every page is rendered for them."""
    client = Client()
    client.force_login(UserFactory.create())
    return client


def add_catalogue(organisations: int) -> None:
    """Certified organisations, each with two centres and two courses with trainers."""
    for number in range(organisations):
        country = COUNTRIES[number % len(COUNTRIES)]
        organisation = OrganisationFactory.create(country=country)
        trainer = TrainerFactory.create(organisation=organisation)
        for centre_number in range(2):
            centre = TrainingCentreFactory.create(
                organisation=organisation,
                city=f"City {number}-{centre_number}",
                country=COUNTRIES[(number + centre_number) % len(COUNTRIES)],
            )
            CourseFactory.create(
                organisation=organisation,
                course_type__title=f"QGIS course {number}",
                training_centre=centre,
                trainers=[trainer],
            )


def queries_for(client: Client, path: str, django_assert_max_num_queries: Any) -> int:
    with django_assert_max_num_queries(20) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured.captured_queries)


@pytest.mark.parametrize("path", PAGES)
def test_a_public_page_runs_the_same_queries_for_ten_times_the_data(
    visitor: Client, path: str, django_assert_max_num_queries: Any
) -> None:
    add_catalogue(3)
    cache.clear()  # what is shared between visitors (statistics) is counted too
    few = queries_for(visitor, path, django_assert_max_num_queries)
    add_catalogue(27)
    cache.clear()

    assert queries_for(visitor, path, django_assert_max_num_queries) == few


def test_a_course_page_runs_the_same_queries_for_ten_times_the_trainers(
    visitor: Client, alice_org: Organisation, django_assert_max_num_queries: Any
) -> None:
    course: Course = CourseFactory.create(organisation=alice_org)
    path = f"/courses/{course.public_id}/"
    course.trainers.set(TrainerFactory.create_batch(2, organisation=alice_org))
    few = queries_for(visitor, path, django_assert_max_num_queries)
    course.trainers.set(TrainerFactory.create_batch(20, organisation=alice_org))

    assert queries_for(visitor, path, django_assert_max_num_queries) == few


def test_an_organisation_list_page_shows_each_organisation_once(visitor: Client) -> None:
    """Centres are matched by EXISTS: an organisation with several matching centres is not
    repeated (the list used to need DISTINCT for that)."""
    organisation = OrganisationFactory.create(country="SE", legal_name="Many Centres AB")
    TrainingCentreFactory.create_batch(3, organisation=organisation, city="Umeå", country="DE")

    for query in ("?country=DE", "?q=Ume", "?country=SE", ""):
        content = visitor.get(f"/organisations/{query}").content.decode()
        assert content.count("Many Centres AB") == 1, query
        assert "1 organisation<" in content, query


def test_the_country_filter_is_read_once_then_from_the_cache(
    visitor: Client, settings: Any, django_assert_max_num_queries: Any
) -> None:
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    add_catalogue(2)
    first = queries_for(visitor, "/organisations/", django_assert_max_num_queries)

    again = queries_for(visitor, "/courses/", django_assert_max_num_queries)
    again_list = queries_for(visitor, "/organisations/", django_assert_max_num_queries)

    assert again_list == first - 2  # the two country queries
    assert again > 0


def test_a_new_country_shows_in_the_filter_when_the_cached_list_expires(
    visitor: Client, settings: Any
) -> None:
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    add_catalogue(1)
    start = datetime.datetime.now(tz=datetime.UTC)
    with time_machine.travel(start, tick=False):
        before = visitor.get("/organisations/").content.decode()
        OrganisationFactory.create(country="FJ", legal_name="Fiji Maps")
        stale = visitor.get("/courses/").content.decode()
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        fresh = visitor.get("/courses/").content.decode()

    assert '<option value="FJ">' not in before
    assert '<option value="FJ">' not in stale  # the staleness anonymous pages already have
    assert '<option value="FJ">Fiji</option>' in fresh


def test_the_country_list_is_not_kept_when_the_page_cache_is_off(visitor: Client) -> None:
    add_catalogue(1)
    visitor.get("/organisations/")
    OrganisationFactory.create(country="FJ")

    assert not caches["pages"].get("public-part:public-countries")
    assert '<option value="FJ">Fiji</option>' in visitor.get("/organisations/").content.decode()


def test_the_filter_selects_keep_the_visitors_choice_and_their_labels(visitor: Client) -> None:
    add_catalogue(4)

    content = visitor.get("/courses/?country=DE&language=sv&mode=online").content.decode()

    assert '<select name="country" id="id_country">' in content
    assert '<option value="DE" selected>Germany</option>' in content
    assert '<option value="sv" selected>Swedish</option>' in content
    assert '<option value="online" selected>Online</option>' in content
    assert '<option value="">All countries</option>' in content
    assert '<label for="id_country">Country:</label>' in content


def test_the_filter_selects_escape_their_labels(visitor: Client) -> None:
    from certification.directory.forms import QuickSelect

    html = QuickSelect(choices=[("a", "<b>&"), ("b", "B")]).render("x", "b", {"id": "id_x"})

    assert html == (
        '<select name="x" id="id_x"><option value="a">&lt;b&gt;&amp;</option>'
        '<option value="b" selected>B</option></select>'
    )


def test_the_home_pages_next_courses_are_rendered_once_then_shared(
    visitor: Client, settings: Any, django_assert_max_num_queries: Any
) -> None:
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    add_catalogue(2)
    first = queries_for(visitor, "/", django_assert_max_num_queries)

    again = queries_for(Client(), "/?from=elsewhere", django_assert_max_num_queries)

    assert again == first - 4  # no session, user or roles, and no courses query


def test_a_new_course_shows_on_the_home_page_when_the_shared_block_expires(
    visitor: Client, settings: Any, alice_org: Organisation
) -> None:
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    start = datetime.datetime.now(tz=datetime.UTC)
    with time_machine.travel(start, tick=False):
        visitor.get("/")
        CourseFactory.create(organisation=alice_org, course_type__title="Brand new course")
        stale = visitor.get("/").content.decode()
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        fresh = visitor.get("/").content.decode()

    assert "Brand new course" not in stale
    assert "Brand new course" in fresh


def test_the_home_pages_next_courses_follow_the_visitors_language(
    settings: Any, alice_org: Organisation
) -> None:
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    CourseFactory.create(organisation=alice_org, language="sv")

    def next_courses(language: str) -> str:
        client = Client()
        client.force_login(UserFactory.create(preferred_language=language))
        content = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        return content.split('id="next-courses-title"')[1].split("</section>")[0]

    assert "Swedish" in next_courses("en")
    assert "svenska" in next_courses("sv").lower()
