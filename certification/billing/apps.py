from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "certification.billing"
    label = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from certification.billing import periodic, rules  # noqa: F401 - registers them
