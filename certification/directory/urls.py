"""The public catalogue, at the site root: /, /organisations/, /courses/, their map data and
feeds, /statistics/, and the public page of each organisation."""

from django.urls import path

from certification.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.home, name="home"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/map.geojson", views.map_geojson, name="map_geojson"),
    path(
        "organisations/map/centres/<uuid:centre_id>/",
        views.map_centre_popup,
        name="map_centre_popup",
    ),
    path("organisations/<slug:slug>/", views.organisation_public, name="organisation_public"),
    path("organisations/<slug:slug>/logo/", views.organisation_logo, name="organisation_logo"),
    path("courses/", views.course_list, name="course_list"),
    path("courses/<uuid:course_id>/", views.course_public, name="course_public"),
    path("courses/feed.ics", views.course_feed_ics, name="course_feed_ics"),
    path("courses/feed.atom", views.course_feed_atom, name="course_feed_atom"),
    path("statistics/", views.statistics, name="statistics"),
]
