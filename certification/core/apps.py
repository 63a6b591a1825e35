from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "certification.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Registers the system checks (every cache works).
        from certification.core import checks  # noqa: F401
