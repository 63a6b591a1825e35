"""An organisation's billing forms: its billing details, and an order of credits. The
treasurer's forms are treasury/forms.py."""

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from certification.billing import pricing
from certification.billing.models import BillingAccount, Order
from certification.core.text import has_control_characters
from certification.organisations.models import Organisation


class BillingDetailsForm(forms.ModelForm[BillingAccount]):
    class Meta:
        model = BillingAccount
        fields = [
            "billing_name",
            "billing_street",
            "billing_postcode",
            "billing_city",
            "billing_country",
            "vat_number",
            "billing_email",
        ]
        help_texts = {
            "billing_name": _("The organisation's legal name, as the invoice must show it."),
            "vat_number": _(
                "With the country prefix, for example SE556677889901. Businesses in the "
                "European Union with a VAT number are invoiced without VAT (reverse charge)."
            ),
            "billing_email": _("Invoices, receipts and reminders are sent here."),
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("billing_name", "billing_street", "billing_city", "billing_country"):
            self.fields[name].required = True
        self.fields["billing_email"].required = True
        account = self.instance
        if not self.is_bound and not account.has_billing_details:
            # First time: start from what the organisation's profile already says.
            self.initial.update(
                {
                    "billing_name": account.billing_name or organisation.legal_name,
                    "billing_street": account.billing_street or organisation.address,
                    "billing_country": account.billing_country or organisation.country,
                    "vat_number": account.vat_number or organisation.vat_number,
                    "billing_email": account.billing_email or organisation.contact_email,
                }
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, value in list(cleaned.items()):
            if isinstance(value, str) and has_control_characters(value):
                self.add_error(name, _("Remove the invisible control characters from this field."))
        country = str(cleaned.get("billing_country") or "")
        error = pricing.vat_number_error(country, cleaned.get("vat_number", ""))
        if error:
            self.add_error("vat_number", error)
        return cleaned

    def clean_vat_number(self) -> str:
        return pricing.normalise_vat_number(self.cleaned_data.get("vat_number", ""))


class BuyCreditsForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("Number of credits"),
        min_value=1,
        max_value=settings.CREDITS_PER_ORDER_MAX,
        help_text=_("One credit pays for one certificate."),
    )
    method = forms.ChoiceField(
        label=_("Payment"), widget=forms.RadioSelect, choices=Order.Method.choices
    )

    def __init__(self, *args: Any, card: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(Order.Method.INVOICE, _("By invoice, paid by bank transfer (SEPA)"))]
        if card:
            choices.insert(0, (Order.Method.CARD, _("By card, now (Stripe)")))
        cast(forms.ChoiceField, self.fields["method"]).choices = choices
        self.fields["quantity"].widget.attrs.update(
            {"min": 1, "max": settings.CREDITS_PER_ORDER_MAX, "inputmode": "numeric"}
        )
