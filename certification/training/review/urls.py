"""/review/course-types/…, included by the reviewers' workspace (names `review:…`)."""

from django.urls import path

from certification.training.review import views

urlpatterns = [
    path("", views.course_types, name="course_types"),
    path("<int:pk>/", views.course_type_review, name="course_type_review"),
]
