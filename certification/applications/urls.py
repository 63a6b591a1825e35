"""The applicant's pages: /apply/ and /applications/<code>/…"""

from django.urls import path  # noqa: F401

app_name = "applications"

urlpatterns: list = []
