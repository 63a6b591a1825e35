"""Issuing and managing certificates, included at the site root under `certificates:`.

- dashboard/organisations/<slug>/courses/<course_id>/certificates/…  a course's certificates
- dashboard/organisations/<slug>/certificates/<code>/…              one certificate
- dashboard/certificates/revoke/                                    the certification team

The public verification pages are in `verification/urls.py`.
"""

from django.urls import path

from certification.certificates import views

app_name = "certificates"

COURSE = "dashboard/organisations/<slug:slug>/courses/<uuid:course_id>/certificates/"
CERTIFICATE = "dashboard/organisations/<slug:slug>/certificates/<str:code>/"

urlpatterns = [
    path(COURSE, views.course_certificates, name="course"),
    path(COURSE + "progress/", views.course_certificates_progress, name="course_progress"),
    path(COURSE + "issue/", views.certificate_issue, name="issue"),
    path(COURSE + "issue/review/", views.certificate_issue_review, name="issue_review"),
    path(COURSE + "issue/confirm/", views.certificate_issue_confirm, name="issue_confirm"),
    path(COURSE + "preview/", views.certificate_preview, name="preview"),
    path(CERTIFICATE + "pdf/", views.certificate_pdf, name="pdf"),
    path(CERTIFICATE + "resend/", views.certificate_resend, name="resend"),
    path(CERTIFICATE + "revoke/", views.certificate_revoke, name="revoke"),
    path(CERTIFICATE + "reissue/", views.certificate_reissue, name="reissue"),
    path("dashboard/certificates/revoke/", views.certificate_revoke_lookup, name="revoke_lookup"),
]
