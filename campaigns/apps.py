from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("主题教育")

    def ready(self) -> None:
        from campaigns import demo, gaps, rules, todos  # noqa: F401  (register gaps, defaults, to-dos, the demo step)
        from campaigns.models import Assignment
        from core.navigation import register_org_link
        from orgs.services import register_member_records

        # A person's self-inspection answers are kept at their branch and follow them to a new one. (Problems,
        # projects and exemplars name a member but belong to the organization that files them: they stay.)
        register_member_records(Assignment)
        register_org_link(_("整改看板"), "campaigns:dashboard", "bi-clipboard-data")
        register_org_link(_("对标"), "campaigns:benchmark", "bi-bar-chart")
