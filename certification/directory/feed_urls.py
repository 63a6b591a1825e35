"""Course feeds (iCalendar, Atom) and the public statistics."""

from django.urls import path

from certification.directory import views_feeds

urlpatterns = [
    path("courses/feed.ics", views_feeds.course_feed_ics, name="course_feed_ics"),
    path("courses/feed.atom", views_feeds.course_feed_atom, name="course_feed_atom"),
    path("statistics/", views_feeds.statistics, name="statistics"),
]
