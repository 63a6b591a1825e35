"""The public catalogue: the home page, certified organisations with their map, the map's
GeoJSON and popups, and upcoming courses.

Nothing here needs an account. Everything reads through queries.py, which shows only
certified organisations and public courses.
"""

import hashlib
import json
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import condition, require_GET
from django_countries import countries

from certification.core.pagecache import public_page
from certification.directory import queries
from certification.directory.forms import CourseFilterForm, OrganisationFilterForm
from certification.training.models import Course, TrainingCentre

ORGANISATIONS_PER_PAGE = 20
COURSES_PER_PAGE = 20
POPUP_COURSES = 5


NO_ID = "00000000-0000-0000-0000-000000000000"


def map_context(geojson_url: str) -> dict[str, str]:
    """What the map partial (directory/_map.html) needs."""
    return {
        "geojson_url": geojson_url,
        "popup_url_template": reverse("map_centre_popup", args=[NO_ID]).replace(NO_ID, "__ID__"),
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }


@require_GET
@public_page()
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "directory/home.html",
        {"courses": queries.next_courses(), **map_context(reverse("map_geojson"))},
    )


@require_GET
@public_page("q", "country", "language", "words", "organisation", "page")
def organisation_list(request: HttpRequest) -> HttpResponse:
    """Certified organisations, filtered, with the map of their training centres."""
    form = OrganisationFilterForm.from_request(request)
    chosen = form.to_filter()
    organisations = (
        chosen.organisations()
        .prefetch_related(
            Prefetch(
                "training_centres",
                queryset=TrainingCentre.objects.order_by("city", "name"),
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
            **map_context(reverse("map_geojson") + (f"?{query.urlencode()}" if query else "")),
        },
    )


# --- The map's data ---------------------------------------------------------------------------


def _map_filter(request: HttpRequest) -> queries.OrganisationFilter:
    filters = request.__dict__.get("_map_filter")
    if filters is None:
        filters = OrganisationFilterForm.from_request(request, for_display=False).to_filter()
        request._map_filter = filters  # type: ignore[attr-defined]
    return filters


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


def _coordinate(value: Any) -> float:
    return round(float(value), 5)


@require_GET
@gzip_page
@condition(etag_func=_map_etag, last_modified_func=_map_last_modified)
def map_geojson(request: HttpRequest) -> HttpResponse:
    """The training centres of certified organisations as GeoJSON, with the same filters as
    /organisations/. Two queries: the validators (also for 304 answers) and the features."""
    rows = (
        _map_filter(request)
        .centres()
        .values_list(
            "public_id",
            "name",
            "city",
            "country",
            "latitude",
            "longitude",
            "organisation__legal_name",
            "organisation__slug",
            "organisation__country",
        )
    )
    features = []
    organisations_per_country: dict[str, set[str]] = {}
    for public_id, name, city, country, latitude, longitude, org, slug, org_country in rows:
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [_coordinate(longitude), _coordinate(latitude)],
                },
                "properties": {
                    "id": str(public_id),
                    "name": name,
                    "city": city,
                    "org": org,
                    "slug": slug,
                    "country": str(country),
                },
            }
        )
        organisations_per_country.setdefault(str(org_country), set()).add(slug)
    collection = {
        "type": "FeatureCollection",
        "countries": [
            {
                "code": code,
                "numeric": f"{countries.numeric(code) or 0:03d}",
                "name": str(countries.name(code)),
                "organisations": len(slugs),
            }
            for code, slugs in sorted(organisations_per_country.items())
        ],
        "features": features,
    }
    response = HttpResponse(
        json.dumps(collection, ensure_ascii=False, separators=(",", ":")),
        content_type="application/geo+json",
    )
    # `condition` adds the ETag and Last-Modified, and answers 304 to a conditional request.
    response["Cache-Control"] = "public, max-age=300"
    # Country names follow the visitor's language, chosen by cookie or by header.
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
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
    page = Paginator(chosen.courses().for_listing(), COURSES_PER_PAGE).get_page(
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
