from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from certification.organisations.models import Organisation


class BillingAccount(models.Model):
    """An organisation's standing with the programme's treasury.

    `allowance` is how far the credit balance may go below zero: certificates issued beyond
    the prepaid credits, invoiced afterwards. The treasurer sets it; it is 0 by default.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="billing_account"
    )
    allowance = models.PositiveIntegerField(_("allowance"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("billing account")
        verbose_name_plural = _("billing accounts")

    def __str__(self) -> str:
        return str(self.organisation)


class CreditEntry(models.Model):
    """One line of an organisation's append-only credit ledger. The balance is the sum."""

    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("Purchase")
        ISSUANCE = "issuance", _("Certificate issued")
        REFUND = "refund", _("Certificate refunded")
        ADJUSTMENT = "adjustment", _("Adjustment")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="credit_entries"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.IntegerField(_("credits"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # The certificate this entry paid for, by code: the ledger does not depend on that app.
    certificate_code = models.CharField(_("certificate"), max_length=32, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("credit entry")
        verbose_name_plural = _("credit entries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="credit_entry_not_zero"),
            models.CheckConstraint(
                condition=~models.Q(kind="issuance") | models.Q(amount=-1),
                name="issuance_costs_one_credit",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="adjustment") | ~models.Q(reason=""),
                name="adjustment_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.amount:+d} ({self.get_kind_display()})"
