"""The reviewers' workspace: /review/…, every page named `review:…`.

Two parts of the workspace live beside what they change and are included here: the
organisations' status (`organisations/review/`) and the proposed course types
(`training/review/`).
"""

from django.urls import include, path

from certification.applications.review import views

app_name = "review"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("applications/<str:code>/", views.application_detail, name="application"),
    path(
        "applications/<str:code>/start-initial-review/",
        views.start_initial_review,
        name="start_initial_review",
    ),
    path("applications/<str:code>/checklist/", views.save_checklist, name="save_checklist"),
    path("applications/<str:code>/request-changes/", views.request_changes, name="request_changes"),
    path(
        "applications/<str:code>/community-review/",
        views.send_to_community_review,
        name="send_to_community_review",
    ),
    path(
        "applications/<str:code>/opinions/<slug:group>/invite/",
        views.invite_outside_reviewer,
        name="invite_outside_reviewer",
    ),
    path("applications/<str:code>/opinions/<slug:group>/", views.give_opinion, name="give_opinion"),
    path("applications/<str:code>/decision/", views.record_decision, name="record_decision"),
    path("applications/<str:code>/messages/", views.post_reply, name="post_reply"),
    path("applications/<str:code>/notes/", views.add_internal_note, name="add_internal_note"),
    path("opinion/thanks/", views.invited_opinion_thanks, name="invited_opinion_thanks"),
    path("opinion/<str:token>/", views.invited_opinion, name="invited_opinion"),
    path("organisations/", include("certification.organisations.review.urls")),
    path("user-groups/", views.user_groups, name="user_groups"),
    path("user-groups/new/", views.user_group_create, name="user_group_create"),
    path("user-groups/<slug:slug>/edit/", views.user_group_edit, name="user_group_edit"),
    path("course-types/", include("certification.training.review.urls")),
]
