"""Campaign pages: the generic suites (scoping of every list, detail, edit, delete, history and export)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from campaigns import services
from campaigns.models import Campaign, Checklist, Exemplar, Problem, Project
from campaigns.tests.helpers import new_campaign, new_exemplar, new_problem, new_project
from core.testing.personas import Personas
from core.testing.views import PersonaTestCase, ViewTestCases


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
        return f"{obj.ledger_no},{obj.title}"  # the ledger number as the pages show it, then the title


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


class PickListTest(PersonaTestCase):
    """Pick-lists name what they offer well enough to tell alike titles and namesakes apart."""

    def test_a_requirement_links_the_campaign_organizations_own_activities_named_with_date_and_organization(
            self) -> None:
        import datetime

        from campaigns.tests.helpers import new_campaign
        from learning.tests.helpers import new_activity

        campaign = new_campaign(self.p, self.p.committee)
        day = datetime.date(2026, 11, 20)
        own = new_activity(self.p, self.p.committee, 1, day=day)
        new_activity(self.p, self.p.branch1, 2, day=day)
        self.client.force_login(self.p.committee_manager)
        form = self.client.get(campaign.get_absolute_url()).context["requirement_form"]
        field = form.fields["activity"]
        self.assertEqual([obj.pk for obj in field.queryset], [own.pk])
        self.assertEqual(field.label_from_instance(own), f"学习活动1 · 2026-11-20 · {self.p.committee.name}")

    def test_the_people_given_a_checklist_are_named_with_their_branch(self) -> None:
        from campaigns import services

        checklist = services.copy_checklist(self.p.committee, acting_user=self.p.committee_manager)
        self.client.force_login(self.p.committee_manager)
        page = self.client.get(checklist.get_absolute_url())
        self.assertContains(page, f"{self.p.member.name}（{self.p.branch1.name}）")


class OwnerChoicesTest(PersonaTestCase):
    def test_choosing_the_organization_offers_its_members_as_responsible_person(self) -> None:
        url = reverse("campaigns:problem_owner_options")
        self.client.force_login(self.p.committee_manager)
        form = self.client.get(reverse("campaigns:problem_add")).content.decode()
        self.assertIn(f'hx-get="{url}"', form)
        options = self.client.get(url, {"org": self.p.branch1.pk}).content.decode()
        for member in self.p.branch1_members:
            self.assertIn(f'<option value="{member.pk}">{member.name}</option>', options)
        for member in self.p.branch2_members:
            self.assertNotIn(f'value="{member.pk}"', options)
        self.client.force_login(self.p.branch2_manager)
        for org in (self.p.branch1.pk, "x", "99999999999999999999999"):
            self.assertEqual(self.client.get(url, {"org": org}).content.decode(), '<option value="">---------</option>')


class KeptChoicesTest(PersonaTestCase):
    def test_a_refused_assignment_keeps_every_person_that_was_chosen(self) -> None:
        from campaigns import services

        checklist = services.copy_checklist(self.p.branch1, acting_user=self.p.branch1_manager)
        chosen = [str(m.pk) for m in self.p.branch1_members[:3]] + [str(self.p.branch2_members[0].pk)]
        self.client.force_login(self.p.branch1_manager)
        response = self.client.post(reverse("campaigns:checklist_assign", args=[checklist.pk]), {"members": chosen})
        self.assertEqual(response.status_code, 302)
        form = self.client.get(checklist.get_absolute_url()).context["assign_form"]
        self.assertEqual(sorted(form.initial["members"]), sorted(chosen))
