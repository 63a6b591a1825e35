"""The applicant's pages: /apply/ and /applications/<code>/…"""

from django.urls import path

from certification.applications.views import application as views
from certification.applications.views import steps

app_name = "applications"

APPLICATION = "applications/<str:code>/"

urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("apply/again/", views.reapply, name="reapply"),
    path(APPLICATION, views.detail, name="detail"),
    path(f"{APPLICATION}details/", steps.edit_details, name="edit_details"),
    path(f"{APPLICATION}contributions/", steps.contributions, name="contributions"),
    path(f"{APPLICATION}contributions/add/", steps.contribution_form, name="contribution_add"),
    path(
        f"{APPLICATION}contributions/<int:pk>/",
        steps.contribution_form,
        name="contribution_edit",
    ),
    path(
        f"{APPLICATION}contributions/<int:pk>/delete/",
        steps.contribution_delete,
        name="contribution_delete",
    ),
    path(f"{APPLICATION}course-types/", steps.course_types, name="course_types"),
    path(f"{APPLICATION}course-types/add/", steps.course_type_add, name="course_type_add"),
    path(f"{APPLICATION}course-types/<int:pk>/", steps.course_type, name="course_type"),
    path(
        f"{APPLICATION}course-types/<int:pk>/delete/",
        steps.course_type_delete,
        name="course_type_delete",
    ),
    path(
        f"{APPLICATION}course-types/<int:pk>/material/upload/",
        steps.material_upload,
        name="material_upload",
    ),
    path(
        f"{APPLICATION}course-types/<int:pk>/material/link/",
        steps.material_link,
        name="material_link",
    ),
    path(f"{APPLICATION}materials/<uuid:public_id>/", steps.material, name="material"),
    path(
        f"{APPLICATION}materials/<uuid:public_id>/delete/",
        steps.material_delete,
        name="material_delete",
    ),
    path(f"{APPLICATION}declaration/", steps.declaration, name="declaration"),
    path(f"{APPLICATION}summary/", steps.summary, name="summary"),
    path(f"{APPLICATION}submit/", steps.submit, name="submit"),
    path(f"{APPLICATION}messages/", views.post_message, name="post_message"),
    path(f"{APPLICATION}withdraw/", views.withdraw, name="withdraw"),
    path(f"{APPLICATION}versions/<int:number>/", views.version, name="version"),
]
