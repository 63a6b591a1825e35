"""Course types of certified organisations: /dashboard/organisations/<slug>/course-types/…"""

from django.urls import path  # noqa: F401

urlpatterns: list = []
