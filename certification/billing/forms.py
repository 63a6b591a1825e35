"""The treasurer's forms: adjusting an organisation's credits and setting its allowance."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Far beyond any real adjustment; it keeps a typing slip from adding a million credits.
MAX_CREDITS = 100_000


class AdjustCreditsForm(forms.Form):
    amount = forms.IntegerField(
        label=_("Credits"),
        min_value=-MAX_CREDITS,
        max_value=MAX_CREDITS,
        help_text=_("A positive number adds credits, a negative number removes them."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Kept in the ledger and shown to the organisation."),
    )

    def clean_amount(self) -> int:
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError(
                gettext("An adjustment changes the balance by at least one credit.")
            )
        return amount

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(gettext("Give the reason for the adjustment."))
        return reason


class AllowanceForm(forms.Form):
    allowance = forms.IntegerField(
        label=_("Allowance"),
        min_value=0,
        max_value=MAX_CREDITS,
        help_text=_(
            "How many certificates the organisation may issue beyond its credits, to be "
            "invoiced afterwards. 0 means it pays in advance."
        ),
    )


class OrganisationSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Organisation"), required=False, max_length=100, widget=forms.SearchInput
    )

    @property
    def query(self) -> str:
        return self.cleaned_data.get("q", "").strip() if self.is_valid() else ""
