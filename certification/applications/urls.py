"""The applicant's pages: /apply/ and /applications/<code>/…"""

from django.urls import path

from certification.applications import views_applicant as views

app_name = "applications"

APPLICATION = "applications/<str:code>/"

urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("apply/again/", views.reapply, name="reapply"),
    path(APPLICATION, views.detail, name="detail"),
    path(f"{APPLICATION}details/", views.edit_details, name="edit_details"),
    path(f"{APPLICATION}contributions/", views.contributions, name="contributions"),
    path(f"{APPLICATION}contributions/add/", views.contribution_form, name="contribution_add"),
    path(
        f"{APPLICATION}contributions/<int:pk>/",
        views.contribution_form,
        name="contribution_edit",
    ),
    path(
        f"{APPLICATION}contributions/<int:pk>/delete/",
        views.contribution_delete,
        name="contribution_delete",
    ),
    path(f"{APPLICATION}course-types/", views.course_types, name="course_types"),
    path(f"{APPLICATION}course-types/add/", views.course_type_add, name="course_type_add"),
    path(f"{APPLICATION}course-types/<int:pk>/", views.course_type, name="course_type"),
    path(
        f"{APPLICATION}course-types/<int:pk>/delete/",
        views.course_type_delete,
        name="course_type_delete",
    ),
    path(
        f"{APPLICATION}course-types/<int:pk>/material/upload/",
        views.material_upload,
        name="material_upload",
    ),
    path(
        f"{APPLICATION}course-types/<int:pk>/material/link/",
        views.material_link,
        name="material_link",
    ),
    path(f"{APPLICATION}materials/<uuid:public_id>/", views.material, name="material"),
    path(
        f"{APPLICATION}materials/<uuid:public_id>/delete/",
        views.material_delete,
        name="material_delete",
    ),
    path(f"{APPLICATION}declaration/", views.declaration, name="declaration"),
    path(f"{APPLICATION}summary/", views.summary, name="summary"),
    path(f"{APPLICATION}submit/", views.submit, name="submit"),
    path(f"{APPLICATION}messages/", views.post_message, name="post_message"),
    path(f"{APPLICATION}withdraw/", views.withdraw, name="withdraw"),
    path(f"{APPLICATION}versions/<int:number>/", views.version, name="version"),
]
