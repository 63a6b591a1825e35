"""The treasurer's pages, under /treasury/."""

from django.urls import path

from certification.billing import views

ACCOUNT = "treasury/organisations/<slug:slug>/"

urlpatterns = [
    path("treasury/", views.treasury, name="treasury"),
    path(ACCOUNT, views.treasury_organisation, name="treasury_organisation"),
    path(ACCOUNT + "adjust/", views.treasury_adjust_credits, name="treasury_adjust_credits"),
    path(ACCOUNT + "allowance/", views.treasury_set_allowance, name="treasury_set_allowance"),
]
