"""The public pages of certified organisations: /organisations/<slug>/ and their logos."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from certification.accounts.permissions import can
from certification.applications.models import Contribution
from certification.core.pagecache import public_page
from certification.core.weblinks import is_web_link
from certification.directory import queries
from certification.directory.views_public import map_context
from certification.organisations.models import Organisation


@dataclass
class ContributionGroup:
    category: str
    label: str
    contributions: list[Any] = field(default_factory=list)


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
        contribution.links = [
            {"url": link, "is_web": is_web_link(str(link))}
            for link in contribution.evidence_links or []
        ]
        if contribution.category in groups:
            groups[contribution.category].contributions.append(contribution)
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
            **map_context(f"{reverse('map_geojson')}?organisation={organisation.slug}"),
            "contribution_groups": published_contributions(organisation),
            "page_url": f"{settings.SITE_URL}{request.path}",
            "logo_url": f"{settings.SITE_URL}{reverse('organisation_logo', args=[slug])}"
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
    extension = organisation.logo.name.rpartition(".")[2].lower()
    try:
        handle = organisation.logo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, content_type=LOGO_TYPES.get(extension, "application/octet-stream")
    )
    response["Cache-Control"] = "public, max-age=3600" if public else "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
