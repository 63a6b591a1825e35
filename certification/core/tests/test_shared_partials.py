"""The partials every app includes: core/_form_fields.html, core/_form_field.html and
core/_pagination.html."""

from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


class ExampleForm(forms.Form):
    name = forms.CharField(label="Name", help_text="As printed.")
    languages = forms.MultipleChoiceField(
        label="Languages",
        choices=[("en", "English"), ("sv", "Swedish")],
        widget=forms.CheckboxSelectMultiple,
        help_text="Every language you teach in.",
    )
    confirm = forms.BooleanField(label="I am sure")


def pagination(query: str, page: Page[Any]) -> str:
    request = RequestFactory().get(f"/list/?{query}")
    return render_to_string("core/_pagination.html", {"page": page}, request=request)


def test_a_field_has_its_label_help_text_and_errors() -> None:
    html = render_to_string("core/_form_fields.html", {"form": ExampleForm(data={})})

    assert '<div class="field field-invalid">' in html
    assert '<label for="id_name">Name:</label>' in html
    assert '<p class="help" id="id_name_helptext">As printed.</p>' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    # The error list carries the id the widget points to, once.
    assert html.count('id="id_name_error"') == 1


def test_a_group_of_choices_is_a_fieldset_described_by_its_help_text_and_errors() -> None:
    html = render_to_string("core/_form_fields.html", {"form": ExampleForm(data={})})

    assert (
        '<fieldset class="field choice-field field-invalid" '
        'aria-describedby="id_languages_helptext id_languages_error">'
    ) in html
    assert "<legend>Languages:</legend>" in html
    assert '<div class="choice-box"><div id="id_languages">' in html


def test_a_checkbox_comes_before_its_label() -> None:
    html = render_to_string("core/_form_field.html", {"field": ExampleForm()["confirm"]})

    assert '<div class="field field-checkbox">' in html
    assert 'id="id_confirm"> <label for="id_confirm">I am sure</label>' in html


def test_pages_keep_the_filters_of_the_list() -> None:
    page = Paginator(range(30), 10).get_page(2)

    html = pagination("status=open&page=2", page)

    assert 'href="?status=open&amp;page=1" rel="prev"' in html
    assert 'href="?status=open&amp;page=3" rel="next"' in html
    assert "Page 2 of 3" in html


def test_a_list_numbered_by_its_own_parameter_keeps_the_other_lists_pages() -> None:
    page = Paginator(range(30), 10).get_page(1)
    page.parameter = "orders_page"  # type: ignore[attr-defined]  # as billing.queries.page does

    html = pagination("invoices_page=2", page)

    assert 'href="?invoices_page=2&amp;orders_page=2" rel="next"' in html
    assert 'rel="prev"' not in html


def test_a_single_page_has_no_links() -> None:
    assert pagination("", Paginator(range(3), 10).get_page(1)).strip() == ""
