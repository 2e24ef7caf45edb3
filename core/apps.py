from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("平台")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from core import rules
        from core.database import analyze_unanalyzed
        from core.imports import exports  # noqa: F401  (registers the export task)

        post_migrate.connect(rules.install_default_rules, sender=self)
        post_migrate.connect(analyze_unanalyzed, sender=self)
