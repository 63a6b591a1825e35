"""What the public sees: certified organisations, their training centres and their upcoming
public courses — never anything of a suspended, archived or uncertified organisation, and
never a private course.

Every list is one query (plus its count for pagination); the map's GeoJSON is one query for
its features (directory/mapdata.py), plus one for its validators (ETag, Last-Modified) when it
is not served from the cache.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from certification.organisations.models import Organisation
from certification.training.models import Course, CourseQuerySet, CourseType, TrainingCentre


def public_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.certified()


def public_centres() -> QuerySet[TrainingCentre]:
    return TrainingCentre.objects.filter(organisation__status=Organisation.Status.CERTIFIED)


def upcoming_courses() -> CourseQuerySet:
    """Public courses of certified organisations that have not ended, soonest first."""
    return Course.objects.public().upcoming().order_by("starts_on", "pk")


@dataclass(frozen=True)
class OrganisationFilter:
    """The filters of /organisations/, the map and its GeoJSON, from the query string."""

    country: str = ""
    q: str = ""
    language: str = ""
    words: str = ""
    organisation: str = ""  # slug: one organisation's centres, for its own page

    @property
    def active(self) -> bool:
        return any((self.country, self.q, self.language, self.words, self.organisation))

    def organisations(self) -> QuerySet[Organisation]:
        organisations = public_organisations()
        if self.organisation:
            organisations = organisations.filter(slug=self.organisation)
        # Centres are matched with EXISTS, not a join: no row is repeated, so no DISTINCT
        # (which sorted every column of every organisation) is needed.
        if self.country:
            organisations = organisations.filter(
                Q(country=self.country)
                | Exists(
                    TrainingCentre.objects.filter(organisation=OuterRef("pk"), country=self.country)
                )
            )
        if self.q:
            organisations = organisations.filter(
                Q(legal_name__icontains=self.q)
                | Exists(
                    TrainingCentre.objects.filter(
                        organisation=OuterRef("pk"), city__icontains=self.q
                    )
                )
            )
        if self.language or self.words:
            organisations = organisations.filter(
                Exists(self._course_types().filter(organisation=OuterRef("pk")))
            )
        return organisations

    def centres(self) -> QuerySet[TrainingCentre]:
        centres = public_centres()
        if self.organisation:
            centres = centres.filter(organisation__slug=self.organisation)
        if self.country:
            centres = centres.filter(country=self.country)
        if self.q:
            centres = centres.filter(
                Q(organisation__legal_name__icontains=self.q) | Q(city__icontains=self.q)
            )
        if self.language or self.words:
            centres = centres.filter(
                Exists(self._course_types().filter(organisation=OuterRef("organisation")))
            )
        return centres

    def _course_types(self) -> QuerySet[CourseType]:
        course_types = CourseType.objects.approved()
        if self.language:
            # JSON text match: works alike on SQLite and PostgreSQL.
            course_types = course_types.filter(languages__icontains=f'"{self.language}"')
        for word in self.words.split()[:5]:
            course_types = course_types.filter(
                Q(title__icontains=word) | Q(description__icontains=word)
            )
        return course_types


@dataclass(frozen=True)
class CourseFilter:
    """The filters of /courses/ and its feeds, from the query string."""

    country: str = ""
    language: str = ""
    mode: str = ""  # "online", "in_person" or ""
    starts_after: date | None = None
    starts_before: date | None = None
    organisation: str = ""  # slug
    words: str = ""

    @property
    def active(self) -> bool:
        return any(
            (
                self.country,
                self.language,
                self.mode,
                self.starts_after,
                self.starts_before,
                self.organisation,
                self.words,
            )
        )

    def courses(self) -> CourseQuerySet:
        courses = upcoming_courses()
        if self.country:
            # An online course belongs to its organisation's country.
            courses = courses.filter(
                Q(training_centre__country=self.country)
                | Q(online=True, organisation__country=self.country)
            )
        if self.language:
            courses = courses.filter(language=self.language)
        if self.mode == "online":
            courses = courses.filter(online=True)
        elif self.mode == "in_person":
            courses = courses.filter(online=False)
        if self.starts_after:
            courses = courses.filter(starts_on__gte=self.starts_after)
        if self.starts_before:
            courses = courses.filter(starts_on__lte=self.starts_before)
        if self.organisation:
            courses = courses.filter(organisation__slug=self.organisation)
        for word in self.words.split()[:5]:
            courses = courses.filter(
                Q(course_type__title__icontains=word)
                | Q(course_type__description__icontains=word)
                | Q(organisation__legal_name__icontains=word)
                | Q(training_centre__city__icontains=word)
            )
        return courses


def map_validators(centres: QuerySet[TrainingCentre]) -> dict[str, Any]:
    """What changes whenever the map would: one aggregate query."""
    return centres.aggregate(
        count=Count("pk"),
        centre_changed=Max("updated_at"),
        organisation_changed=Max("organisation__updated_at"),
    )


def last_modified(validators: dict[str, Any]) -> datetime | None:
    moments = [
        moment
        for moment in (validators["centre_changed"], validators["organisation_changed"])
        if moment is not None
    ]
    return max(moments) if moments else None


def next_courses(limit: int = 6) -> list[Course]:
    return list(upcoming_courses().for_cards()[:limit])


def today() -> date:
    return timezone.localdate()
