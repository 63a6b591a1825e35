from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "certification.training"
    label = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        from certification.training import rules  # noqa: F401 - registers the rules
