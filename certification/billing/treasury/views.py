"""The treasurer's pages.

The treasurer (with two-factor authentication, which the middleware enforces) sees the
money: revenue per month, open and overdue invoices, orders flagged by refunds and disputes,
every organisation's credits. They record payments, cancel invoices with credit notes,
upload bank statements to match transfers to invoices, export CSV files for the accountant,
and adjust an organisation's credits and allowance.

Every page asks `treasury.view` and every change `treasury.manage` (billing/rules.py); the
services check `treasury.manage` again for the treasurer they are given.
"""

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certification.accounts.http import AuthenticatedHttpRequest
from certification.accounts.permissions import require
from certification.billing import invoicing, ledger, pricing, queries, statements
from certification.billing.formatting import pdf_filename
from certification.billing.invoicing import InvoiceError
from certification.billing.ledger import CreditError
from certification.billing.models import BankStatement, Invoice
from certification.billing.treasury import queries as treasury_queries
from certification.billing.treasury.exports import EXPORTS, export_filename, stream_csv
from certification.billing.treasury.forms import (
    AdjustCreditsForm,
    AllowanceForm,
    CreditNoteForm,
    InvoiceSearchForm,
    OrganisationSearchForm,
    PaymentForm,
    StatementUploadForm,
)
from certification.core.files import private, private_file_response
from certification.core.models import AuditEvent
from certification.organisations.models import Organisation

if TYPE_CHECKING:
    from certification.billing.queries import InvoiceWithPayments

STATEMENTS_PER_PAGE = 25
HISTORY_LENGTH = 50


# --- Overview -----------------------------------------------------------------------------


@login_required
@require_GET
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What needs the treasurer: revenue, open and overdue invoices, flagged orders, low
    balances."""
    require(request.user, "treasury.view")
    today = timezone.localdate()
    flagged = treasury_queries.flagged_orders()
    return render(
        request,
        "billing/treasury/overview.html",
        {
            "today": today,
            "chart": treasury_queries.revenue_by_month(today),
            "figures": treasury_queries.invoice_figures(today),
            "flagged_orders": flagged[: treasury_queries.FLAGGED_ORDERS],
            "lowest_balances": treasury_queries.lowest_balances(),
            "export_years": [today.year, today.year - 1],
            "export_kinds": [
                ("invoices", _("Invoices and credit notes")),
                ("payments", _("Payments")),
                ("ledger", _("Credit ledger")),
            ],
        },
    )


# --- Organisations and their credits ------------------------------------------------------


@login_required
@require_GET
def organisation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request.user, "treasury.view")
    form = OrganisationSearchForm(request.GET)
    organisations = queries.organisations_with_credits()
    if form.query:
        organisations = organisations.filter(legal_name__icontains=form.query)
    return render(
        request,
        "billing/treasury/organisation_list.html",
        {
            "form": form,
            "page": queries.page(request, organisations, queries.ORGANISATIONS_PER_PAGE),
        },
    )


def _render_account(
    request: HttpRequest,
    organisation: Organisation,
    *,
    adjust_form: AdjustCreditsForm | None = None,
    allowance_form: AllowanceForm | None = None,
) -> HttpResponse:
    standing = queries.standing(organisation)
    return render(
        request,
        "billing/treasury/organisation_detail.html",
        {
            "organisation": organisation,
            **standing,
            "page": queries.page(
                request, queries.ledger_entries(organisation), queries.ENTRIES_PER_PAGE
            ),
            "adjust_form": adjust_form or AdjustCreditsForm(),
            "allowance_form": allowance_form
            or AllowanceForm(initial={"allowance": standing["allowance"]}),
        },
    )


@login_required
@require_GET
def organisation_detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    require(request.user, "treasury.view")
    return _render_account(request, get_object_or_404(Organisation, slug=slug))


@login_required
@require_POST
def adjust_credits(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    require(request.user, "treasury.manage")
    organisation = get_object_or_404(Organisation, slug=slug)
    form = AdjustCreditsForm(request.POST)
    if form.is_valid():
        try:
            ledger.adjust_credits(
                organisation,
                by=request.user,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
        except CreditError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(amount)+d credits for %(organisation)s. The balance is now %(balance)d.")
                % {
                    "amount": form.cleaned_data["amount"],
                    "organisation": organisation.legal_name,
                    "balance": ledger.balance(organisation),
                },
            )
            return redirect("treasury:organisation_detail", slug=organisation.slug)
    return _render_account(request, organisation, adjust_form=form)


@login_required
@require_POST
def set_allowance(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    require(request.user, "treasury.manage")
    organisation = get_object_or_404(Organisation, slug=slug)
    form = AllowanceForm(request.POST)
    if form.is_valid():
        try:
            ledger.set_allowance(
                organisation, by=request.user, allowance=form.cleaned_data["allowance"]
            )
        except CreditError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The allowance of %(organisation)s is now %(allowance)d.")
                % {
                    "organisation": organisation.legal_name,
                    "allowance": form.cleaned_data["allowance"],
                },
            )
            return redirect("treasury:organisation_detail", slug=organisation.slug)
    return _render_account(request, organisation, allowance_form=form)


# --- Invoices -----------------------------------------------------------------------------


@login_required
@require_GET
def invoice_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request.user, "treasury.view")
    form = InvoiceSearchForm(request.GET)
    today = timezone.localdate()
    invoices = treasury_queries.find_invoices(show=form.show, query=form.query, today=today)
    return render(
        request,
        "billing/treasury/invoice_list.html",
        {
            "form": form,
            "show": form.show,
            "today": today,
            "page": queries.page(request, invoices, treasury_queries.INVOICES_PER_PAGE),
        },
    )


def _invoice(invoice_id: Any) -> "InvoiceWithPayments":
    invoices = queries.with_payments(
        Invoice.objects.select_related("organisation", "order", "corrects")
    )
    return get_object_or_404(invoices, public_id=invoice_id)


def _render_invoice(
    request: HttpRequest,
    invoice: "InvoiceWithPayments",
    *,
    payment_form: PaymentForm | None = None,
    credit_note_form: CreditNoteForm | None = None,
) -> HttpResponse:
    payments = list(invoice.payments.select_related("statement", "recorded_by"))
    is_open_invoice = invoice.kind == Invoice.Kind.INVOICE and invoice.status == Invoice.Status.OPEN
    return render(
        request,
        "billing/treasury/invoice_detail.html",
        {
            "invoice": invoice,
            "organisation": invoice.organisation,
            "today": timezone.localdate(),
            "lines": invoice.lines.all(),
            "payments": payments,
            "credit_notes": invoice.credit_notes.order_by("year", "sequence"),
            "history": AuditEvent.objects.for_object(invoice)[:HISTORY_LENGTH],
            "pdf_ready": invoice.has_pdf,
            "can_record_payment": is_open_invoice,
            "can_credit": is_open_invoice and not payments,
            "payment_form": payment_form or PaymentForm(initial={"amount": _still_due(invoice)}),
            "credit_note_form": credit_note_form or CreditNoteForm(),
        },
    )


def _still_due(invoice: "InvoiceWithPayments") -> Decimal | None:
    due = invoice.amount_due
    return pricing.money(due) if due > 0 else None


@login_required
@require_GET
def invoice_detail(request: AuthenticatedHttpRequest, invoice_id: Any) -> HttpResponse:
    require(request.user, "treasury.view")
    return _render_invoice(request, _invoice(invoice_id))


@login_required
@require_GET
def invoice_pdf(request: AuthenticatedHttpRequest, invoice_id: Any) -> HttpResponseBase:
    """The invoice (or credit note) as issued; not found until its PDF has been rendered."""
    require(request.user, "treasury.view")
    invoice = get_object_or_404(Invoice, public_id=invoice_id)
    if not invoice.has_pdf:
        raise Http404(_("This invoice's PDF is still being prepared: try again in a minute."))
    return private_file_response(
        invoice.pdf.open("rb"), filename=pdf_filename(invoice), content_type="application/pdf"
    )


@login_required
@require_POST
def record_payment(request: AuthenticatedHttpRequest, invoice_id: Any) -> HttpResponse:
    require(request.user, "treasury.manage")
    invoice = _invoice(invoice_id)
    form = PaymentForm(request.POST)
    if not form.is_valid():
        return _render_invoice(request, invoice, payment_form=form)
    try:
        invoicing.record_payment(
            invoice,
            amount=form.cleaned_data["amount"],
            received_on=form.cleaned_data["received_on"],
            reference=form.cleaned_data["reference"].strip(),
            by=request.user,
        )
    except InvoiceError as error:
        form.add_error(None, str(error))
        return _render_invoice(request, invoice, payment_form=form)
    invoice = _invoice(invoice_id)
    messages.success(request, _payment_message(invoice))
    return redirect("treasury:invoice_detail", invoice_id=invoice.public_id)


def _payment_message(invoice: "InvoiceWithPayments") -> str:
    due = invoice.amount_due
    values = {"number": invoice.number, "amount": f"{abs(due):.2f}", "currency": invoice.currency}
    if due > 0:
        return (
            _("Payment recorded. %(amount)s %(currency)s of invoice %(number)s is still to pay.")
            % values
        )
    if due < 0:
        return (
            _(
                "Payment recorded: invoice %(number)s is paid, with %(amount)s %(currency)s "
                "more than its total. Refund or keep the excess as agreed with the "
                "organisation."
            )
            % values
        )
    return _("Payment recorded: invoice %(number)s is paid.") % values


@login_required
@require_POST
def credit_note(request: AuthenticatedHttpRequest, invoice_id: Any) -> HttpResponse:
    """Cancel an open invoice with a credit note: the first POST asks for confirmation,
    the second (with `confirm`) issues it."""
    require(request.user, "treasury.manage")
    invoice = _invoice(invoice_id)
    form = CreditNoteForm(request.POST)
    if not form.is_valid():
        return _render_invoice(request, invoice, credit_note_form=form)
    if request.POST.get("confirm") != "yes":
        return render(
            request,
            "billing/treasury/credit_note_confirm.html",
            {"invoice": invoice, "organisation": invoice.organisation, "form": form},
        )
    try:
        note = invoicing.issue_credit_note(
            invoice, by=request.user, reason=form.cleaned_data["reason"]
        )
    except InvoiceError as error:
        form.add_error(None, str(error))
        return _render_invoice(request, _invoice(invoice_id), credit_note_form=form)
    messages.success(
        request,
        _("Invoice %(number)s is cancelled by credit note %(note)s.")
        % {"number": invoice.number, "note": note.number},
    )
    return redirect("treasury:invoice_detail", invoice_id=invoice.public_id)


# --- Bank statements ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def statement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a camt.053 statement (its credits are matched to invoices) and the uploads."""
    require(request.user, "treasury.manage" if request.method == "POST" else "treasury.view")
    form = StatementUploadForm()
    if request.method == "POST":
        form = StatementUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                statement = statements.import_statement(
                    upload.read(), name=upload.name, by=request.user
                )
            except statements.StatementError as error:
                form.add_error("file", str(error))
            else:
                messages.success(request, _statement_message(statement))
                return redirect("treasury:statement_detail", pk=statement.pk)
    uploads = BankStatement.objects.select_related("uploaded_by").order_by("-uploaded_at", "-pk")
    return render(
        request,
        "billing/treasury/statement_list.html",
        {"form": form, "page": queries.page(request, uploads, STATEMENTS_PER_PAGE)},
    )


def _statement_message(statement: BankStatement) -> str:
    report = statement.report
    return _(
        "Statement read. Credits: %(entries)s. Payments recorded: %(recorded)s. "
        "To look at: %(to_look_at)s."
    ) % {
        "entries": report.get("entries", 0),
        "recorded": report.get("recorded", 0),
        "to_look_at": len(report.get("unmatched", [])) + len(report.get("settled", [])),
    }


REPORT_SECTIONS = {
    "paid": (
        _lazy("Paid in full"),
        _lazy("Recorded: these transfers paid their invoices in full."),
    ),
    "partial": (
        _lazy("Paid in part"),
        _lazy("Recorded: the invoices stay open for what is still to pay."),
    ),
    "overpaid": (
        _lazy("Paid too much"),
        _lazy(
            "Recorded: the invoices are paid, with more than their total. Refund or keep "
            "the excess as agreed with the organisation."
        ),
    ),
    "settled": (
        _lazy("For invoices already paid or cancelled"),
        _lazy(
            "Not recorded. Look at each one: record it by hand on the invoice page, or "
            "refund the payer."
        ),
    ),
    "duplicates": (
        _lazy("Already recorded"),
        _lazy("Recorded from an earlier upload of this statement: nothing was recorded twice."),
    ),
    "unmatched": (
        _lazy("Not matched"),
        _lazy(
            "No invoice matched these transfers. Find the invoice and record the payment on "
            "its page, or refund the payer."
        ),
    ),
}
SETTLED_REASONS = {
    Invoice.Status.PAID: _lazy("The invoice was already paid."),
    Invoice.Status.CREDITED: _lazy("The invoice is cancelled by a credit note."),
}


def _report_item(item: dict[str, Any]) -> dict[str, Any]:
    """A report line as shown: amounts as numbers (formatted in the reader's language)."""
    shown: dict[str, Any] = dict(item)
    for key in ("amount", "remainder", "excess"):
        if item.get(key):
            shown[key] = Decimal(item[key])
    if item.get("status") in SETTLED_REASONS:
        shown["reason"] = SETTLED_REASONS[item["status"]]
    return shown


@login_required
@require_GET
def statement_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """What matching the statement found, section by section."""
    require(request.user, "treasury.view")
    statement = get_object_or_404(BankStatement.objects.select_related("uploaded_by"), pk=pk)
    report = statement.report or {}
    sections = [
        {
            "key": key,
            "title": title,
            "help": help_text,
            "items": [_report_item(item) for item in report.get(key, [])],
        }
        for key, (title, help_text) in REPORT_SECTIONS.items()
        if report.get(key)
    ]
    return render(
        request,
        "billing/treasury/statement_detail.html",
        {
            "statement": statement,
            "report": report,
            "totals": {
                currency: Decimal(amount) for currency, amount in report.get("totals", {}).items()
            },
            "to_look_at": len(report.get("unmatched", [])) + len(report.get("settled", [])),
            "sections": sections,
        },
    )


# --- Exports ------------------------------------------------------------------------------


@login_required
@require_GET
def export(request: AuthenticatedHttpRequest, kind: str) -> HttpResponseBase:
    """invoices.csv, payments.csv or ledger.csv, optionally for one year (`?year=2026`)."""
    require(request.user, "treasury.view")
    if kind not in EXPORTS:
        raise Http404
    year_text = request.GET.get("year", "").strip()
    year = None
    if year_text:
        if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
            return HttpResponseBadRequest(_("The year is a number such as 2026."))
        year = int(year_text)
    response = StreamingHttpResponse(stream_csv(kind, year), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(kind, year)}"'
    private(response)
    return response
