from django.urls import path

from certification.organisations import views

app_name = "organisations"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path(
        "dashboard/organisations/<slug:slug>/",
        views.organisation_overview,
        name="organisation_overview",
    ),
    path(
        "dashboard/organisations/<slug:slug>/profile/",
        views.organisation_profile,
        name="organisation_profile",
    ),
    path(
        "dashboard/organisations/<slug:slug>/members/",
        views.organisation_members,
        name="organisation_members",
    ),
    path(
        "dashboard/organisations/<slug:slug>/members/invite/",
        views.invite_member,
        name="invite_member",
    ),
    path(
        "dashboard/organisations/<slug:slug>/members/<int:pk>/remove/",
        views.remove_member,
        name="remove_member",
    ),
    path(
        "dashboard/organisations/<slug:slug>/invitations/<int:pk>/cancel/",
        views.cancel_invitation,
        name="cancel_invitation",
    ),
    # The link in invitation emails: services.invite_member reverses this name.
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
]
