from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    """The public face: organisation pages, and later the map, catalogue and feeds."""

    name = "certification.directory"
    label = "directory"
    verbose_name = _("Directory")
