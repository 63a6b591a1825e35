"""Course types of certified organisations: /dashboard/organisations/<slug>/course-types/…"""

from django.urls import path

from certification.training import views

COURSE_TYPES = "dashboard/organisations/<slug:slug>/course-types/"
COURSE_TYPE = COURSE_TYPES + "<int:pk>/"

urlpatterns = [
    path(COURSE_TYPES, views.course_type_list, name="organisation_course_types"),
    path(COURSE_TYPES + "new/", views.course_type_create, name="course_type_create"),
    path(COURSE_TYPE, views.course_type_detail, name="course_type_detail"),
    path(COURSE_TYPE + "edit/", views.course_type_edit, name="course_type_edit"),
    path(COURSE_TYPE + "propose/", views.course_type_propose, name="course_type_propose"),
    path(COURSE_TYPE + "materials/", views.material_add, name="course_type_material_add"),
    path(
        COURSE_TYPE + "materials/<uuid:public_id>/",
        views.material_download,
        name="course_type_material",
    ),
    path(
        COURSE_TYPE + "materials/<uuid:public_id>/remove/",
        views.material_remove,
        name="course_type_material_remove",
    ),
]
