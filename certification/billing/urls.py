"""Billing, included at the site root (no namespace).

- dashboard/organisations/<slug>/billing/…    an organisation's balance, orders, invoices
- treasury/…                                  the treasurer (treasury_urls.py)
- billing/stripe/…                            Stripe's webhook and Checkout (stripe_urls.py)
"""

from django.urls import include, path

from certification.billing import views_organisation as views

BILLING = "dashboard/organisations/<slug:slug>/billing/"

ORDER = BILLING + "orders/<uuid:order_id>/"

urlpatterns = [
    path(BILLING, views.organisation_billing, name="organisation_billing"),
    path(BILLING + "details/", views.billing_details, name="billing_details"),
    path(BILLING + "buy/", views.buy_credits, name="buy_credits"),
    path(BILLING + "buy/confirm/", views.buy_credits_confirm, name="buy_credits_confirm"),
    path(ORDER, views.order_detail, name="order_detail"),
    path(ORDER + "status/", views.order_status, name="order_status"),
    path(BILLING + "invoices/<uuid:invoice_id>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("", include("certification.billing.treasury_urls")),
    path("", include("certification.billing.stripe_urls")),
]
