from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "certification.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from certification.accounts.roles import ensure_role_groups

        # The role groups and their admin permissions exist on every database.
        post_migrate.connect(ensure_role_groups, dispatch_uid="accounts.ensure_role_groups")
