"""Campaign pages: the generic suites (scoping of every list, detail, edit, delete, history and export)."""

from __future__ import annotations

from typing import Any

from campaigns import services
from campaigns.models import Campaign, Checklist, Exemplar, Problem, Project
from campaigns.tests.helpers import new_campaign, new_exemplar, new_problem, new_project
from core.testing.personas import Personas
from core.testing.views import ViewTestCases


class CampaignViewTest(ViewTestCases.PrimaryObjectViewTestCase):
    model = Campaign
    url_prefix = "campaigns:campaign"
    list_queries = 7

    @classmethod
    def make_object(cls, p: Personas, org: Any, n: int) -> Campaign:
        return new_campaign(p, org, name=f"主题教育{n}")

    def update_data(self) -> dict[str, Any]:
        return {"name": "改过的主题教育"}


class ProblemViewTest(ViewTestCases.PrimaryObjectViewTestCase):
    model = Problem
    url_prefix = "campaigns:problem"
    list_queries = 7

    @classmethod
    def make_object(cls, p: Personas, org: Any, n: int) -> Problem:
        return new_problem(p, org, title=f"问题{n}")

    def update_data(self) -> dict[str, Any]:
        return {"title": "改过的问题", "measures": "新的措施"}

    def export_marker(self, obj: Any) -> str:
        return obj.title


class ProjectViewTest(ViewTestCases.PrimaryObjectViewTestCase):
    model = Project
    url_prefix = "campaigns:project"
    list_queries = 7

    @classmethod
    def make_object(cls, p: Personas, org: Any, n: int) -> Project:
        return new_project(p, org, title=f"实事{n}")

    def update_data(self) -> dict[str, Any]:
        return {"title": "改过的实事"}


class ExemplarViewTest(ViewTestCases.PrimaryObjectViewTestCase):
    model = Exemplar
    url_prefix = "campaigns:exemplar"
    list_queries = 7

    @classmethod
    def make_object(cls, p: Personas, org: Any, n: int) -> Exemplar:
        return new_exemplar(p, org, name=f"先进{n}")

    def update_data(self) -> dict[str, Any]:
        return {"story": "新的事迹"}


class ChecklistViewTest(ViewTestCases.PrimaryObjectViewTestCase):
    model = Checklist
    url_prefix = "campaigns:checklist"
    list_queries = 7

    @classmethod
    def make_object(cls, p: Personas, org: Any, n: int) -> Checklist:
        return services.create_checklist(Checklist(org=org, title=f"检视清单{n}"), acting_user=p.admin,
                                         items=[("对照党章", "是否坚定理想信念"), ("", "是否密切联系群众")])

    def update_data(self) -> dict[str, Any]:
        return {"title": "改过的清单"}
