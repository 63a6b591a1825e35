"""Public certificate URLs, included at the site's root: `/verify/` is a stable public path."""

from django.urls import path

from certification.certificates import views_verify

urlpatterns = [
    path("verify/", views_verify.verify, name="verify"),
    path(
        "verify/<str:code>.json",
        views_verify.verify_certificate_json,
        name="verify_certificate_json",
    ),
    path("verify/<str:code>/", views_verify.verify_certificate, name="verify_certificate"),
]
