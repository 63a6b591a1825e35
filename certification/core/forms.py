"""Form pieces the back-office pages share: GET filters, text areas, confirmation boxes.

The reviewers' workspace is made of pages from several apps (applications, organisations,
training), so what their forms have in common lives here, below all of them.
"""

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

CONFIRM_LABEL = _("I understand that this step cannot be undone.")


def confirmation_field(label: "str | StrPromise" = CONFIRM_LABEL) -> forms.BooleanField:
    """A box that must be ticked before a step that cannot be undone."""
    return forms.BooleanField(
        label=label,
        required=True,
        error_messages={"required": _("Tick the box to confirm.")},
    )


def text_field(
    label: "str | StrPromise",
    *,
    required: bool = True,
    rows: int = 4,
    help_text: "str | StrPromise" = "",
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        strip=True,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class FilterForm(forms.Form):
    """A GET form of filters: a missing or unknown value just means "no filter"."""

    def value(self, name: str) -> str:
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return str(self.cleaned_data.get(name) or "")
