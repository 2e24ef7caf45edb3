from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = _("学习培训")

    def ready(self) -> None:
        from core.navigation import register_org_link
        from learning import demo, gaps, resources, rules, signals, todos  # noqa: F401  (register rules, gaps, imports, demo, to-dos)
        from learning.models import Attempt, Attendance, MemberYear, PointEntry, SignInFailure, StudyRecord
        from orgs.services import register_member_records

        register_member_records(StudyRecord, MemberYear, Attendance, SignInFailure, Attempt, PointEntry)
        register_org_link(_("学时完成情况"), "learning:compliance", "bi-bar-chart")
