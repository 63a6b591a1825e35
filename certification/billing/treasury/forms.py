"""The treasurer's forms: credits and allowances, invoices, payments and bank statements."""

from datetime import date
from decimal import Decimal

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from certification.billing.statements import MAX_STATEMENT_BYTES

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
        amount: int = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError(
                gettext("An adjustment changes the balance by at least one credit.")
            )
        return amount

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
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


class InvoiceSearchForm(forms.Form):
    """The invoices list: which invoices, and a search by number or organisation."""

    class Show(models.TextChoices):
        ALL = "all", _("All")
        OPEN = "open", _("Open")
        OVERDUE = "overdue", _("Overdue")
        PAID = "paid", _("Paid")
        CREDITED = "credited", _("Cancelled by credit note")

    status = forms.ChoiceField(label=_("Show"), choices=Show.choices, required=False)
    q = forms.CharField(
        label=_("Number or organisation"),
        required=False,
        max_length=100,
        widget=forms.SearchInput,
    )

    @property
    def show(self) -> str:
        return (self.cleaned_data.get("status") or self.Show.ALL) if self.is_valid() else "all"

    @property
    def query(self) -> str:
        return self.cleaned_data.get("q", "").strip() if self.is_valid() else ""


class PaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount received"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        help_text=_("What reached the bank account, in the invoice's currency."),
    )
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(
        label=_("Bank reference"),
        max_length=140,
        required=False,
        help_text=_("The bank's reference of the transfer, to find it again later."),
    )

    def clean_received_on(self) -> date:
        received_on: date = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError(gettext("A payment cannot be received in the future."))
        return received_on


class CreditNoteForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Printed on the credit note and sent to the organisation."),
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(gettext("Give the reason for the credit note."))
        return reason


class StatementUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Bank statement (camt.053 XML)"),
        help_text=_("The account statement from the bank, in ISO 20022 camt.053 format."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
    )

    def clean_file(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        if (upload.size or 0) > MAX_STATEMENT_BYTES:
            raise forms.ValidationError(
                gettext("The file is larger than 5 MB: it is not a bank statement.")
            )
        return upload
