"""Public verification, included at the site's root: `/verify/` is a stable public path."""

from django.urls import path

from certification.certificates.verification import views

app_name = "verification"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>.json", views.verify_certificate_json, name="certificate_json"),
    path("verify/<str:code>/", views.verify_certificate, name="certificate"),
]
