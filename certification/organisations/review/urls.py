"""/review/organisations/…, included by the reviewers' workspace (names `review:…`)."""

from django.urls import path

from certification.organisations.review import views

urlpatterns = [
    path("", views.organisations, name="organisations"),
    path("<slug:slug>/status/", views.organisation_status, name="organisation_status"),
]
