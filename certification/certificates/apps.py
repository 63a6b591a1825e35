from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certification.certificates"
    label = "certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        from certification.certificates import rules  # noqa: F401 - registers the rules
        from certification.certificates.panel import course_page_panel
        from certification.training.views.courses import register_course_panel

        # The course page (training) shows the certificates panel without importing this app.
        register_course_panel(course_page_panel)
