"""The public filters, read from the query string. Invalid values are ignored with a message
on the form rather than failing the page: these are links people share."""

from functools import cache
from typing import Any, Self

from django import forms
from django.forms.utils import flatatt
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from certification.core import pagecache
from certification.directory.queries import (
    CourseFilter,
    OrganisationFilter,
    public_centres,
    public_organisations,
)
from certification.training.languages import course_language_choices


def public_country_codes() -> list[str]:
    """Countries with a certified organisation or one of its centres: every visitor's filter
    form shows them, so they are shared (core.pagecache.shared)."""
    return pagecache.shared("public-countries", _read_public_country_codes)


def _read_public_country_codes() -> list[str]:
    codes = set(public_organisations().order_by().values_list("country", flat=True).distinct())
    codes |= set(public_centres().order_by().values_list("country", flat=True).distinct())
    return sorted(str(code) for code in codes if code)


def country_choices() -> list[tuple[str, str | Promise]]:
    """Countries with a certified organisation or one of its centres, named in the visitor's
    language."""
    named = [(code, str(countries.name(code))) for code in public_country_codes()]
    return [("", _("All countries")), *sorted(named, key=lambda choice: choice[1].lower())]


@cache
def _language_choices(language: str | None) -> tuple[tuple[str, str], ...]:
    """Names do not change while the process runs: sorted once per language."""
    return tuple(course_language_choices())


def language_choices() -> list[tuple[str, str | Promise]]:
    return [("", _("Any language")), *_language_choices(get_language())]


def all_country_choices() -> list[tuple[str, str | Promise]]:
    """Every country: validates a code without asking the database."""
    return [("", _("All countries")), *countries]


class QuickSelect(forms.Select):
    """Django's select, written out in Python: its template renders a sub-template per option,
    and the hundred languages of a filter were most of the catalogue's rendering time."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (code, " selected" if str(code) in chosen else "", label)
                for code, label in self.choices
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            options,
        )


class FilterForm(forms.Form):
    @classmethod
    def from_request(cls, request: HttpRequest, **options: Any) -> Self:
        form = cls(request.GET, **options)
        form.is_valid()
        return form

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if name not in self.errors else None

    def _offer_choices(self, for_display: bool) -> None:
        """`for_display=False` checks values without the queries that make the country menu
        list only countries with certified organisations."""
        for name, choices in (
            ("country", country_choices() if for_display else all_country_choices()),
            ("language", language_choices()),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices


class OrganisationFilterForm(FilterForm):
    q = forms.CharField(label=_("Organisation or city"), required=False, max_length=100, strip=True)
    country = forms.ChoiceField(label=_("Country"), required=False, widget=QuickSelect)
    language = forms.ChoiceField(label=_("Course language"), required=False, widget=QuickSelect)
    words = forms.CharField(label=_("Course subject"), required=False, max_length=100)
    organisation = forms.SlugField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, for_display: bool = True, **kwargs: Any) -> None:
        """`for_display=False` for the map's data."""
        super().__init__(*args, **kwargs)
        self._offer_choices(for_display)

    def to_filter(self) -> OrganisationFilter:
        return OrganisationFilter(
            country=self.value("country") or "",
            q=self.value("q") or "",
            language=self.value("language") or "",
            words=self.value("words") or "",
            organisation=self.value("organisation") or "",
        )


class CourseFilterForm(FilterForm):
    MODES = [("", _("Online or in person")), ("online", _("Online")), ("in_person", _("In person"))]

    words = forms.CharField(label=_("Words"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Country"), required=False, widget=QuickSelect)
    language = forms.ChoiceField(label=_("Language"), required=False, widget=QuickSelect)
    mode = forms.ChoiceField(label=_("Where"), required=False, choices=MODES, widget=QuickSelect)
    starts_after = forms.DateField(
        label=_("Starting from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    starts_before = forms.DateField(
        label=_("Starting by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # Set by the links of an organisation's page; the words also match organisation names.
    organisation = forms.SlugField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, for_display: bool = True, **kwargs: Any) -> None:
        """`for_display=False` for the feeds."""
        super().__init__(*args, **kwargs)
        self._offer_choices(for_display)
        self.organisation_name = ""

    def clean_organisation(self) -> str:
        slug: str = self.cleaned_data.get("organisation", "")
        if slug:
            name = public_organisations().filter(slug=slug).values_list("legal_name", flat=True)
            found = name.first()
            if found is None:
                raise forms.ValidationError(_("No certified organisation has this address."))
            self.organisation_name = found
        return slug

    def to_filter(self) -> CourseFilter:
        return CourseFilter(
            country=self.value("country") or "",
            language=self.value("language") or "",
            mode=self.value("mode") or "",
            starts_after=self.value("starts_after"),
            starts_before=self.value("starts_before"),
            organisation=self.value("organisation") or "",
            words=self.value("words") or "",
        )
