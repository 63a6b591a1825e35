from django.urls import path

from certification.organisations import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path(
        "dashboard/organisations/<slug:slug>/",
        views.organisation_overview,
        name="organisation_overview",
    ),
]
