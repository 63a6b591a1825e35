"""The course feeds (/courses/feed.ics, /courses/feed.atom) and the public /statistics/ page.

Nothing here needs an account: the feeds read only upcoming public courses of certified
organisations, with the filters of /courses/, and the statistics only aggregates.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from certification.core.pagecache import public_page
from certification.directory import feeds
from certification.directory.forms import CourseFilterForm
from certification.directory.statistics import bar_chart, public_statistics
from certification.directory.views_public import map_context

FEED_MAX_AGE = 900
# The map's popups are fetched by centre: "__ID__" stands for the centre's id in their URL.


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
            **map_context(reverse("map_geojson")),
        },
    )
