"""The public catalogue, at the site root: /, /organisations/, /courses/, their map data and
feeds, /statistics/, and the public page of each organisation."""

from django.urls import include, path

from certification.directory import views, views_public

urlpatterns = [
    path("", views_public.home, name="home"),
    path("organisations/", views_public.organisation_list, name="organisation_list"),
    path("organisations/map.geojson", views_public.map_geojson, name="map_geojson"),
    path(
        "organisations/map/centres/<uuid:centre_id>/",
        views_public.map_centre_popup,
        name="map_centre_popup",
    ),
    path("organisations/<slug:slug>/", views.organisation_public, name="organisation_public"),
    path("organisations/<slug:slug>/logo/", views.organisation_logo, name="organisation_logo"),
    path("courses/", views_public.course_list, name="course_list"),
    path("courses/<uuid:course_id>/", views_public.course_public, name="course_public"),
    path("", include("certification.directory.feed_urls")),
]
