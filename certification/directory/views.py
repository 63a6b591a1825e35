"""The public catalogue: the home page, certified organisations with their map, the map's
GeoJSON and popups, each organisation's public page and logo, upcoming courses, the course
feeds (/courses/feed.ics, /courses/feed.atom) and the public /statistics/ page.

Nothing here needs an account. Everything reads through queries.py, which shows only
certified organisations and public courses; the statistics only aggregate.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import condition, require_GET, require_safe
from django_countries import countries

from certification.accounts.permissions import can
from certification.applications.models import Contribution
from certification.core import pagecache
from certification.core.files import private_file_response
from certification.core.mapversion import map_version
from certification.core.pagecache import public_page
from certification.core.weblinks import is_web_link
from certification.directory import feeds, mapdata, queries
from certification.directory.forms import CourseFilterForm, OrganisationFilterForm
from certification.directory.statistics import bar_chart, public_statistics
from certification.organisations.models import Organisation
from certification.training.models import Course, TrainingCentre

ORGANISATIONS_PER_PAGE = 20
COURSES_PER_PAGE = 20
POPUP_COURSES = 5
# The map's popups are fetched by centre: "__ID__" stands for the centre's id in their URL.
NO_ID = "00000000-0000-0000-0000-000000000000"


def map_context(geojson_url: str) -> dict[str, str]:
    """What the map partial (directory/_map.html) needs."""
    return {
        "geojson_url": geojson_url,
        "popup_url_template": reverse("directory:map_centre_popup", args=[NO_ID]).replace(
            NO_ID, "__ID__"
        ),
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }


@require_GET
@public_page()
def home(request: HttpRequest) -> HttpResponse:
    # The next courses are the same for every visitor in a language: rendered once, shared.
    next_courses = pagecache.shared(
        f"home-next-courses:{get_language()}",
        lambda: render_to_string(
            "directory/_course_cards.html", {"courses": queries.next_courses()}
        ),
    )
    return render(
        request,
        "directory/home.html",
        {"next_courses": next_courses, **map_context(reverse("directory:map_geojson"))},
    )


@require_GET
@public_page("q", "country", "language", "words", "organisation", "page")
def organisation_list(request: HttpRequest) -> HttpResponse:
    """Certified organisations, filtered, with the map of their training centres."""
    form = OrganisationFilterForm.from_request(request)
    chosen = form.to_filter()
    organisations = (
        chosen.organisations()
        .only("legal_name", "slug", "country")
        .prefetch_related(
            Prefetch(
                "training_centres",
                queryset=TrainingCentre.objects.order_by("city", "name").only(
                    "organisation_id", "city"
                ),
                to_attr="centres",
            )
        )
        .order_by("legal_name", "pk")
    )
    page = Paginator(organisations, ORGANISATIONS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "directory/organisation_list.html",
        {
            "form": form,
            "chosen": chosen,
            "page": page,
            "country_name": countries.name(chosen.country) if chosen.country else "",
            **map_context(
                reverse("directory:map_geojson") + (f"?{query.urlencode()}" if query else "")
            ),
        },
    )


# --- The public page of an organisation -------------------------------------------------------


@dataclass(frozen=True)
class EvidenceLink:
    url: str
    is_web: bool  # only a web link is shown as a link


@dataclass(frozen=True)
class PublishedContribution:
    period: str
    description: str
    links: list[EvidenceLink]


@dataclass
class ContributionGroup:
    category: str
    label: str
    contributions: list[PublishedContribution] = field(default_factory=list)


def published_contributions(organisation: Organisation) -> list[ContributionGroup]:
    """The organisation's published contributions, in the programme's order of categories."""
    groups = {
        value: ContributionGroup(category=value, label=str(label))
        for value, label in Contribution.Category.choices
    }
    contributions = Contribution.objects.filter(
        application__organisation=organisation, published=True
    ).order_by("-start_year", "pk")
    for contribution in contributions:
        if contribution.category in groups:
            groups[contribution.category].contributions.append(
                PublishedContribution(
                    period=contribution.period,
                    description=contribution.description,
                    links=[
                        EvidenceLink(url=str(link), is_web=is_web_link(str(link)))
                        for link in contribution.evidence_links or []
                    ],
                )
            )
    return [group for group in groups.values() if group.contributions]


@require_GET
@public_page()
def organisation_public(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.certified(), slug=slug)
    course_types = organisation.course_types.approved().order_by("title", "pk")
    courses = list(queries.upcoming_courses().filter(organisation=organisation).for_listing()[:20])
    centres = list(organisation.training_centres.order_by("city", "name"))
    return render(
        request,
        "directory/organisation.html",
        {
            "organisation": organisation,
            "website_is_web_link": is_web_link(organisation.website),
            "course_types": course_types,
            "courses": courses,
            "centres": centres,
            **map_context(f"{reverse('directory:map_geojson')}?organisation={organisation.slug}"),
            "contribution_groups": published_contributions(organisation),
            "page_url": f"{settings.SITE_URL}{request.path}",
            "logo_url": f"{settings.SITE_URL}{reverse('directory:organisation_logo', args=[slug])}"
            if organisation.logo
            else "",
        },
    )


LOGO_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}


@require_GET
def organisation_logo(request: HttpRequest, slug: str) -> FileResponse:
    """A logo, served through the site so that it works with private object storage too.

    Public once the organisation is certified; before that, only to its members and reviewers.
    """
    organisation = get_object_or_404(Organisation, slug=slug)
    public = organisation.is_certified
    if not organisation.logo or not (
        public or can(request.user, "organisation.view_private", organisation)
    ):
        raise Http404
    name = organisation.logo.name or ""
    extension = name.rpartition(".")[2].lower()
    try:
        handle = organisation.logo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = private_file_response(
        handle,
        filename=name.rpartition("/")[2],
        content_type=LOGO_TYPES.get(extension, "application/octet-stream"),
        as_attachment=False,
    )
    # Unlike other private files a logo may be kept: by anyone once the organisation is
    # certified, and a few minutes by the members' browsers before.
    response["Cache-Control"] = "public, max-age=3600" if public else "private, max-age=300"
    return response


# --- The map's data ---------------------------------------------------------------------------

# Kept by browsers and shared caches for five minutes, then revalidated (304 when unchanged).
MAP_CACHE_CONTROL = "public, max-age=300"
# Country names follow the visitor's language, chosen by cookie or by header.
MAP_VARY = ("Cookie", "Accept-Language")


def _map_filter(request: HttpRequest) -> queries.OrganisationFilter:
    filters = request.__dict__.get("_map_filter")
    if filters is None:
        filters = OrganisationFilterForm.from_request(request, for_display=False).to_filter()
        request._map_filter = filters  # type: ignore[attr-defined]
    return filters


@require_GET
def map_geojson(request: HttpRequest) -> HttpResponse:
    """The training centres of certified organisations as GeoJSON, with the same filters as
    /organisations/ (built by mapdata.py).

    Served from the cache as ready bytes in the encoding the client accepts. The map's version
    (read from the cache at most once a second) makes the ETag, enough for a 304; the bytes
    come from this process's memory when it served them lately, else from one cache read.
    """
    query = mapdata.cache_query(request)
    if query is None:
        return _fresh_map_geojson(request)
    language = get_language() or settings.LANGUAGE_CODE
    encoding = mapdata.accepted_encoding(request)
    # Read before the data is (in cached_map): bytes built from older data than the version
    # says are never kept under it.
    version = map_version()
    tag = mapdata.etag(query, version=version, language=language)
    if encoding != "identity":
        tag = f"W/{tag}"  # not the JSON's bytes: a weak tag, as GZipMiddleware gives
    # If-Modified-Since counts only without If-None-Match: then the bytes are not needed.
    if (
        request.headers.get("If-None-Match")
        and not request.headers.get("If-Unmodified-Since")
        and (answer := _map_not_modified(request, tag, None)) is not None
    ):
        return answer
    found = mapdata.cached_map(
        query, lambda: _map_filter(request), version=version, language=language, encoding=encoding
    )
    if (answer := _map_not_modified(request, tag, found.last_modified)) is not None:
        return answer
    response = HttpResponse(found.body, content_type=mapdata.CONTENT_TYPE)
    if found.encoding != "identity":
        response["Content-Encoding"] = found.encoding
    return _map_headers(response, tag, found.last_modified)


def _map_headers(response: HttpResponse, tag: str, last_modified: datetime | None) -> HttpResponse:
    response["ETag"] = tag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = MAP_CACHE_CONTROL
    patch_vary_headers(response, (*MAP_VARY, "Accept-Encoding"))
    return response


def _map_not_modified(
    request: HttpRequest, tag: str, last_modified: datetime | None
) -> HttpResponse | None:
    """A 304 (or 412) when the request's conditions say so, with the headers a 200 has."""
    headers = _map_headers(HttpResponse(), tag, last_modified)
    answer = get_conditional_response(
        request,
        etag=tag,
        last_modified=int(last_modified.timestamp()) if last_modified is not None else None,
        response=headers,
    )
    return None if answer is headers else answer


def _map_validators(request: HttpRequest) -> dict[str, Any]:
    validators = request.__dict__.get("_map_validators")
    if validators is None:
        validators = queries.map_validators(_map_filter(request).centres())
        request._map_validators = validators  # type: ignore[attr-defined]
    return validators


def _map_etag(request: HttpRequest, *args: Any, **kwargs: Any) -> str:
    validators = _map_validators(request)
    key = json.dumps(
        [
            request.GET.urlencode(),
            validators["count"],
            str(validators["centre_changed"]),
            str(validators["organisation_changed"]),
            request.LANGUAGE_CODE,
        ]
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _map_last_modified(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
    return queries.last_modified(_map_validators(request))


@gzip_page
@condition(etag_func=_map_etag, last_modified_func=_map_last_modified)
def _fresh_map_geojson(request: HttpRequest) -> HttpResponse:
    """The map for a query string the cache does not keep (mapdata.cache_query), or for every
    one when PUBLIC_PAGE_CACHE_SECONDS is 0: built for each request, its validators read from
    the data. Two queries."""
    body, _last_modified = mapdata.geojson(_map_filter(request))
    response = HttpResponse(body, content_type=mapdata.CONTENT_TYPE)
    # `condition` adds the ETag and Last-Modified, and answers 304 to a conditional request.
    response["Cache-Control"] = MAP_CACHE_CONTROL
    patch_vary_headers(response, MAP_VARY)
    return response


@require_GET
def map_centre_popup(request: HttpRequest, centre_id: Any) -> HttpResponse:
    """What a marker's popup shows: the organisation, the city and the next courses there."""
    centre = get_object_or_404(
        queries.public_centres().select_related("organisation"), public_id=centre_id
    )
    courses = list(
        queries.upcoming_courses()
        .filter(organisation=centre.organisation)
        .filter(training_centre=centre)
        .select_related("course_type")[:POPUP_COURSES]
    )
    response = render(request, "directory/_map_popup.html", {"centre": centre, "courses": courses})
    response["Cache-Control"] = "public, max-age=300"
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


# --- Courses ----------------------------------------------------------------------------------


@require_GET
@public_page(
    "words", "country", "language", "mode", "starts_after", "starts_before", "organisation", "page"
)
def course_list(request: HttpRequest) -> HttpResponse:
    form = CourseFilterForm.from_request(request)
    chosen = form.to_filter()
    page = Paginator(chosen.courses().for_cards(), COURSES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    feed_query = f"?{query.urlencode()}" if query else ""
    return render(
        request,
        "directory/course_list.html",
        {"form": form, "chosen": chosen, "page": page, "feed_query": feed_query},
    )


@require_GET
@public_page()
def course_public(request: HttpRequest, course_id: Any) -> HttpResponse:
    """A public course of a certified organisation: everything a learner needs."""
    course = get_object_or_404(Course.objects.public().for_listing(), public_id=course_id)
    return render(
        request,
        "directory/course.html",
        {
            "course": course,
            "ended": course.ends_on < queries.today(),
            "page_url": f"{settings.SITE_URL}{request.path}",
        },
    )


# --- Feeds and statistics ---------------------------------------------------------------------

FEED_MAX_AGE = 900


def _cached_publicly(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
    # Language names follow the visitor's language, chosen by cookie or by header.
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


@require_safe
def course_feed_ics(request: HttpRequest) -> HttpResponse:
    """The upcoming public courses matching the filters of /courses/, as an iCalendar file."""
    courses = feeds.feed_courses(
        CourseFilterForm.from_request(request, for_display=False).to_filter()
    )
    response = HttpResponse(
        feeds.calendar(courses, name=_("QGIS certified courses")),
        content_type=feeds.ICS_CONTENT_TYPE,
    )
    response["Content-Disposition"] = f'inline; filename="{feeds.ICS_FILENAME}"'
    return _cached_publicly(response)


@require_safe
def course_feed_atom(request: HttpRequest) -> HttpResponse:
    """The upcoming public courses matching the filters of /courses/, as an Atom feed."""
    course_filter = CourseFilterForm.from_request(request, for_display=False).to_filter()
    feed = feeds.atom_feed(
        feeds.feed_courses(course_filter),
        title=_("Upcoming QGIS certified courses"),
        query=feeds.filter_query(course_filter),
    )
    response = HttpResponse(content_type=feed.content_type)
    feed.write(response, "utf-8")
    return _cached_publicly(response)


@require_safe
@public_page()
def statistics(request: HttpRequest) -> HttpResponse:
    figures = public_statistics()
    return render(
        request,
        "directory/statistics.html",
        {
            "figures": figures,
            "certificates_chart": bar_chart(figures.certificates_per_year),
            "courses_chart": bar_chart(figures.courses_per_year),
            **map_context(reverse("directory:map_geojson")),
        },
    )
