from django.urls import path

from certification.directory import views

urlpatterns = [
    path("organisations/<slug:slug>/", views.organisation_public, name="organisation_public"),
    path("organisations/<slug:slug>/logo/", views.organisation_logo, name="organisation_logo"),
]
