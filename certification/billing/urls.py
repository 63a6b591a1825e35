"""An organisation's billing, and Stripe's webhook: the `billing:` URLs.

- dashboard/organisations/<slug>/billing/…    its balance, orders, invoices, buying credits
- billing/stripe/webhook/                     Stripe's signed events (webhooks.py)

The treasurer's pages are treasury/urls.py.
"""

from django.urls import path

from certification.billing import views, webhooks

app_name = "billing"

BILLING = "dashboard/organisations/<slug:slug>/billing/"
ORDER = BILLING + "orders/<uuid:order_id>/"

urlpatterns = [
    path(BILLING, views.overview, name="overview"),
    path(BILLING + "details/", views.billing_details, name="billing_details"),
    path(BILLING + "buy/", views.buy_credits, name="buy_credits"),
    path(BILLING + "buy/confirm/", views.buy_credits_confirm, name="buy_credits_confirm"),
    path(ORDER, views.order_detail, name="order_detail"),
    path(ORDER + "status/", views.order_status, name="order_status"),
    path(ORDER + "checkout/", views.order_checkout, name="order_checkout"),
    path(BILLING + "invoices/<uuid:invoice_id>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("billing/stripe/webhook/", webhooks.stripe_webhook, name="stripe_webhook"),
]
