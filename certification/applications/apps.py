from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "certification.applications"
    label = "applications"
    verbose_name = _("Applications")

    def ready(self) -> None:
        from certification.applications import dashboard, periodic, rules  # noqa: F401 - registers them
