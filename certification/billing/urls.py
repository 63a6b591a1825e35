"""Credits, included at the site root (no namespace).

- treasury/…                                  the treasurer
- dashboard/organisations/<slug>/billing/     an organisation's own balance and ledger
"""

from django.urls import path

from certification.billing import views

ACCOUNT = "treasury/organisations/<slug:slug>/"

urlpatterns = [
    path("treasury/", views.treasury, name="treasury"),
    path(ACCOUNT, views.treasury_organisation, name="treasury_organisation"),
    path(ACCOUNT + "adjust/", views.treasury_adjust_credits, name="treasury_adjust_credits"),
    path(ACCOUNT + "allowance/", views.treasury_set_allowance, name="treasury_set_allowance"),
    path(
        "dashboard/organisations/<slug:slug>/billing/",
        views.organisation_billing,
        name="organisation_billing",
    ),
]
