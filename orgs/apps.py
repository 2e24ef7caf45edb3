from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("组织与党员")

    def ready(self) -> None:
        from orgs import gaps, rules, tasks, todos  # noqa: F401  (register rules, gap rules, tasks and to-dos)
