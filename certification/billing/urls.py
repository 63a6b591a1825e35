"""Billing, included at the site root (no namespace).

- dashboard/organisations/<slug>/billing/…    an organisation's balance, orders, invoices
- treasury/…                                  the treasurer (treasury_urls.py)
- billing/stripe/…                            Stripe's webhook and Checkout (stripe_urls.py)
"""

from django.urls import include, path

from certification.billing import views_organisation as views

BILLING = "dashboard/organisations/<slug:slug>/billing/"

urlpatterns = [
    path(BILLING, views.organisation_billing, name="organisation_billing"),
    path("", include("certification.billing.treasury_urls")),
    path("", include("certification.billing.stripe_urls")),
]
