from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "certification.organisations"
    label = "organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from certification.organisations import rules  # noqa: F401 - registers the rules
