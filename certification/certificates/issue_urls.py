"""Issuing and managing certificates, included at the site root (no namespace).

- dashboard/organisations/<slug>/courses/<course_id>/certificates/…  a course's certificates
- dashboard/organisations/<slug>/certificates/<code>/…              one certificate
- dashboard/certificates/revoke/                                    the certification team
"""

from django.urls import path

from certification.certificates import views_issue as views

COURSE = "dashboard/organisations/<slug:slug>/courses/<uuid:course_id>/certificates/"
CERTIFICATE = "dashboard/organisations/<slug:slug>/certificates/<str:code>/"

urlpatterns = [
    path(COURSE, views.course_certificates, name="course_certificates"),
    path(
        COURSE + "progress/",
        views.course_certificates_progress,
        name="course_certificates_progress",
    ),
    path(COURSE + "issue/", views.certificate_issue, name="certificate_issue"),
    path(COURSE + "issue/review/", views.certificate_issue_review, name="certificate_issue_review"),
    path(
        COURSE + "issue/confirm/", views.certificate_issue_confirm, name="certificate_issue_confirm"
    ),
    path(COURSE + "preview/", views.certificate_preview, name="certificate_preview"),
    path(CERTIFICATE + "pdf/", views.certificate_pdf, name="certificate_pdf"),
    path(CERTIFICATE + "resend/", views.certificate_resend, name="certificate_resend"),
    path(CERTIFICATE + "revoke/", views.certificate_revoke, name="certificate_revoke"),
    path(CERTIFICATE + "reissue/", views.certificate_reissue, name="certificate_reissue"),
    path(
        "dashboard/certificates/revoke/",
        views.certificate_revoke_lookup,
        name="certificate_revoke_lookup",
    ),
]
