from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EssaysConfig(AppConfig):
    name = "essays"
    verbose_name = _("心得体会")

    def ready(self) -> None:
        from core.navigation import register_org_link
        from essays import demo, gaps, rules, services, todos  # noqa: F401  (gaps, defaults, the task, to-dos, demo)
        from essays.models import Essay, EssayVersion
        from orgs.services import register_member_records

        register_member_records(Essay, EssayVersion)
        register_org_link(_("心得体会"), "essays:org_essays", "bi-journal-text")
