"""Background work on invoices: render each document once, store it, email it to the buyer.

`deliver_invoice` runs after the transaction that issued the invoice (or credit note) has
committed, and again for a document still missing a while later (periodic.py). It can run
again safely: a stored PDF is never rendered again (an issued invoice never changes), and the
email goes out once, unless it is asked for again.

Who an invoice's emails go to, their attachment and their link to the billing page are shared
with the reminders (reminders.py).
"""

import logging
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import translation

from certification.billing.documents import render_invoice_pdf
from certification.billing.formatting import format_amount, format_date, format_iban, pdf_filename
from certification.billing.models import Invoice
from certification.core.audit import record_event
from certification.core.emails import send_templated_email
from certification.core.models import AuditEvent
from certification.organisations.models import Membership

logger = logging.getLogger(__name__)

EMAILED = "billing.invoice_emailed"


def store_invoice_pdf(invoice: Invoice) -> bool:
    """Render the PDF and store it, unless it is stored already. True if it rendered one.

    Two workers may render at once; the first to store wins, the other's file is deleted.
    """
    storage = invoice.pdf.storage
    if invoice.has_pdf:
        return False
    pdf = render_invoice_pdf(invoice)
    field = Invoice._meta.get_field("pdf")
    name = storage.save(field.generate_filename(invoice, pdf_filename(invoice)), ContentFile(pdf))
    with transaction.atomic():
        current = Invoice.objects.select_for_update().only("pdf").get(pk=invoice.pk)
        # (The old name comes back when a lost file is rendered again: that is not a race.)
        stored_first = current.pdf.name != name and current.has_pdf
        if not stored_first:
            Invoice.objects.filter(pk=invoice.pk).update(pdf=name)
    if stored_first:
        storage.delete(name)
        invoice.pdf.name = current.pdf.name
        return False
    invoice.pdf.name = name
    return True


def pdf_attachments(invoice: Invoice) -> list[dict[str, str]]:
    """The stored PDF as an email attachment; none while it is not stored."""
    if not invoice.pdf.name:
        return []
    return [
        {"path": invoice.pdf.name, "filename": pdf_filename(invoice), "mimetype": "application/pdf"}
    ]


def invoice_recipients(invoice: Invoice) -> list[str]:
    """The invoice email of the billing details, else the organisation's contact address,
    else its owners."""
    if invoice.buyer.get("email"):
        return [invoice.buyer["email"]]
    organisation = invoice.organisation
    if organisation.contact_email:
        return [organisation.contact_email]
    owners = Membership.objects.filter(
        organisation=organisation, role=Membership.Role.OWNER
    ).order_by("user__email")
    return [membership.user.email for membership in owners.select_related("user")]


def billing_url(invoice: Invoice) -> str:
    path = reverse("billing:overview", kwargs={"slug": invoice.organisation.slug})
    return f"{settings.SITE_URL}{path}"


def invoice_email_context(invoice: Invoice) -> dict[str, Any]:
    """What the invoice or credit-note email says, formatted in the invoice's language."""
    credit_note = invoice.kind == Invoice.Kind.CREDIT_NOTE
    with translation.override(invoice.language):
        return {
            "buyer_name": invoice.buyer.get("name") or invoice.organisation.legal_name,
            "seller_name": invoice.seller["name"],
            "number": invoice.number,
            "total": format_amount(abs(invoice.total_amount), invoice.currency),
            "issued_on": format_date(invoice.issued_on),
            "due_on": format_date(invoice.due_on),
            "iban": format_iban(invoice.seller.get("iban", "")),
            "bic": invoice.seller.get("bic", ""),
            "reference": invoice.reference,
            "corrects_number": invoice.corrects.number if invoice.corrects else "",
            "reason": invoice.note if credit_note else "",
            "billing_url": billing_url(invoice),
        }


def email_invoice(invoice: Invoice, *, again: bool = False) -> bool:
    """Queue the email that brings the buyer the stored PDF. False if it was already sent
    (and `again` is not set), or if there is nobody to send it to."""
    with transaction.atomic():
        # One worker at a time decides whether the email still has to go.
        Invoice.objects.select_for_update().only("pk").get(pk=invoice.pk)
        sent_before = AuditEvent.objects.for_object(invoice).filter(action=EMAILED).exists()
        if sent_before and not again:
            return False
        recipients = invoice_recipients(invoice)
        if not recipients:
            logger.warning("Invoice %s has nobody to be emailed to.", invoice.number)
            return False
        credit_note = invoice.kind == Invoice.Kind.CREDIT_NOTE
        send_templated_email(
            "credit_note_issued" if credit_note else "invoice_issued",
            to=recipients,
            context=invoice_email_context(invoice),
            language=invoice.language,
            reply_to=[settings.SELLER_EMAIL],
            attachments=pdf_attachments(invoice),
        )
        record_event(EMAILED, actor=None, target=invoice, data={"to": recipients})
    return True


@task()
def deliver_invoice(invoice_id: int, again: bool = False) -> bool:
    """Render and store the invoice's PDF (once), then email it to the buyer (once, or
    `again` when they ask for it). Returns whether an email was queued."""
    invoice = Invoice.objects.select_related("organisation", "corrects").get(pk=invoice_id)
    store_invoice_pdf(invoice)
    return email_invoice(invoice, again=again)
