"""The programme in figures, for /statistics/: certified organisations per country,
certificates and courses per year, and what certificates have contributed to QGIS.

Every figure is one aggregate query (GROUP BY in the database), so the page costs the same
whatever the data; the result is cached for ten minutes per language, since country names
are translated.
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import get_language
from django_countries import countries

from certification.billing import pricing
from certification.billing.models import Payment
from certification.certificates.models import Certificate
from certification.directory.queries import public_organisations
from certification.organisations.models import Organisation
from certification.training.models import Course

CACHE_SECONDS = 600
CACHE_KEY = "directory:statistics:{language}"
CURRENCY = "EUR"


@dataclass(frozen=True)
class CountryFigure:
    code: str
    name: str
    organisations: int


@dataclass(frozen=True)
class YearFigure:
    year: int
    count: int


@dataclass(frozen=True)
class Statistics:
    countries: list[CountryFigure]
    certificates_per_year: list[YearFigure]
    courses_per_year: list[YearFigure]
    certificate_price: Decimal
    received: Decimal

    @property
    def organisations(self) -> int:
        return sum(figure.organisations for figure in self.countries)

    @property
    def certificates(self) -> int:
        return sum(figure.count for figure in self.certificates_per_year)

    @property
    def courses(self) -> int:
        return sum(figure.count for figure in self.courses_per_year)

    @property
    def contributed(self) -> Decimal:
        """What the certificates issued have contributed: their number times the price of one."""
        return (self.certificates * self.certificate_price).quantize(Decimal("0.01"))


def counted_certificates() -> QuerySet[Certificate]:
    """Every certificate issued, revoked ones included, except those replaced by a corrected
    one: a certificate re-issued to correct a name counts once."""
    return Certificate.objects.filter(replaced_by__isnull=True)


def counted_courses() -> QuerySet[Course]:
    """Public and private courses of the organisations certified today."""
    return Course.objects.filter(organisation__status=Organisation.Status.CERTIFIED)


def per_year(rows: QuerySet[Any, tuple[int | None, int]]) -> list[YearFigure]:
    """Counts per year from (year, count) rows, with the years between filled with zeros so
    that a chart's axis has no gaps."""
    counts = {year: count for year, count in rows if year is not None}
    if not counts:
        return []
    return [YearFigure(year, counts.get(year, 0)) for year in range(min(counts), max(counts) + 1)]


def compute_statistics() -> Statistics:
    """Four queries, whatever the data."""
    per_country = (
        public_organisations()
        .order_by()
        .values("country")
        .annotate(organisations=Count("pk"))
        .values_list("country", "organisations")
    )
    country_figures = sorted(
        (
            CountryFigure(code=code, name=str(countries.name(code)), organisations=count)
            for code, count in per_country
        ),
        key=lambda figure: (-figure.organisations, figure.name.lower()),
    )
    certificates = (
        counted_certificates()
        .annotate(year=ExtractYear("issued_at"))
        .order_by()
        .values("year")
        .annotate(count=Count("pk"))
        .values_list("year", "count")
    )
    courses = (
        counted_courses()
        .annotate(year=ExtractYear("starts_on"))
        .order_by()
        .values("year")
        .annotate(count=Count("pk"))
        .values_list("year", "count")
    )
    # Refunds are negative payments: this is what QGIS.ORG has kept.
    received = Payment.objects.filter(currency=CURRENCY).aggregate(total=Sum("amount"))["total"]
    return Statistics(
        countries=country_figures,
        certificates_per_year=per_year(certificates),
        courses_per_year=per_year(courses),
        certificate_price=pricing.price_per_credit(),
        received=(received or Decimal("0")).quantize(Decimal("0.01")),
    )


def public_statistics() -> Statistics:
    """The figures of /statistics/, at most ten minutes old."""
    key = CACHE_KEY.format(language=get_language() or settings.LANGUAGE_CODE)
    figures: Statistics | None = cache.get(key)
    if figures is None:
        figures = compute_statistics()
        cache.set(key, figures, CACHE_SECONDS)
    return figures


# --- Bar charts, drawn on the server ---------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    year: int
    count: int
    x: float
    y: float
    width: float
    height: float
    centre: float
    value_y: float
    show_year: bool


@dataclass(frozen=True)
class BarChart:
    """The geometry of an SVG bar chart of counts per year, in the units of its viewBox."""

    width: int
    height: int
    baseline: float
    left: float
    right: float
    year_y: float
    bars: list[Bar]


CHART_WIDTH = 640
CHART_HEIGHT = 240
CHART_TOP = 28  # room for the value above the tallest bar
CHART_BOTTOM = 30  # room for the years under the axis
CHART_SIDE = 12
MAX_BAR_WIDTH = 56
MAX_YEAR_LABELS = 16


def bar_chart(figures: list[YearFigure]) -> BarChart | None:
    """Bars scaled to the largest count; every bar carries its value, and the axis its years
    (every other year, or fewer, once there are too many to read)."""
    if not figures:
        return None
    tallest = max(figure.count for figure in figures) or 1
    plot_width = CHART_WIDTH - 2 * CHART_SIDE
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    baseline = CHART_TOP + plot_height
    slot = plot_width / len(figures)
    bar_width = min(slot * 0.7, MAX_BAR_WIDTH)
    label_every = math.ceil(len(figures) / MAX_YEAR_LABELS)
    bars = []
    for index, figure in enumerate(figures):
        height = plot_height * figure.count / tallest
        if figure.count:
            height = max(height, 1.0)  # a single certificate is still visible
        centre = CHART_SIDE + slot * index + slot / 2
        bars.append(
            Bar(
                year=figure.year,
                count=figure.count,
                x=round(centre - bar_width / 2, 1),
                y=round(baseline - height, 1),
                width=round(bar_width, 1),
                height=round(height, 1),
                centre=round(centre, 1),
                value_y=round(baseline - height - 6, 1),
                show_year=(len(figures) - 1 - index) % label_every == 0,
            )
        )
    return BarChart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        baseline=baseline,
        left=CHART_SIDE,
        right=CHART_WIDTH - CHART_SIDE,
        year_y=baseline + 20,
        bars=bars,
    )
