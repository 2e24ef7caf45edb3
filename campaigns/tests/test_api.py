"""The campaigns API: the generic suites for campaigns, problems, projects and exemplars; the rectification
actions through the API; two clicks from a gap to a rectification on the pages; evidence files scoped."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from campaigns.choices import ProblemStatus
from campaigns.models import Campaign, Checklist, Evidence, Exemplar, Milestone, Problem, Project
from campaigns.tests.helpers import new_campaign, new_exemplar, new_problem, new_project, png
from core.models import ObjectChange
from core.testing.api import APITestCase, APIViewTestCases
from core.testing.personas import Personas
from core.testing.views import PersonaTestCase
from orgs.models import Organization


class CampaignAPITest(APIViewTestCases.APIViewTestCase):
    model = Campaign
    basename = "campaign"
    list_queries = 4

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> Campaign:
        return new_campaign(p, org, name=f"主题教育{n}")

    def create_data(self) -> dict[str, Any]:
        return {"org": self.p.branch1.pk, "name": "支部主题教育", "start": "2026-03-01", "end": "2026-06-30",
                "goals": ["学思想"], "batches": [{"name": "一批", "start": "2026-03-01", "end": "2026-06-30"}]}

    def update_data(self) -> dict[str, Any]:
        return {"name": "改名"}


class ProblemAPITest(APIViewTestCases.APIViewTestCase):
    model = Problem
    basename = "problem"
    list_queries = 3

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> Problem:
        return new_problem(p, org, title=f"问题{n}")

    def create_data(self) -> dict[str, Any]:
        today = timezone.localdate()
        return {"org": self.p.branch1.pk, "title": "学习记录不全", "description": "缺三次", "source": "superior",
                "found_on": str(today), "standard": "补齐", "measures": "补记", "deadline_workdays": 10}

    def update_data(self) -> dict[str, Any]:
        return {"measures": "新的措施"}


class ProjectAPITest(APIViewTestCases.APIViewTestCase):
    model = Project
    basename = "project"
    list_queries = 3

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> Project:
        return new_project(p, org, title=f"实事{n}")

    def create_data(self) -> dict[str, Any]:
        return {"org": self.p.branch1.pk, "title": "修路", "description": "修通村道", "beneficiaries": "村民",
                "start": "2026-03-01", "deadline": "2026-09-30"}

    def update_data(self) -> dict[str, Any]:
        return {"title": "修桥"}


class ExemplarAPITest(APIViewTestCases.APIViewTestCase):
    model = Exemplar
    basename = "exemplar"
    list_queries = 3

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> Exemplar:
        return new_exemplar(p, org, name=f"先进{n}")

    def create_data(self) -> dict[str, Any]:
        return {"org": self.p.branch1.pk, "kind": "person", "member": self.p.member.pk, "honours": "优秀共产党员",
                "year": 2025}

    def update_data(self) -> dict[str, Any]:
        return {"story": "事迹"}


@override_settings(MEDIA_ROOT="/tmp/chuxin-test-media")
class RectificationAPITest(APITestCase):
    def test_progress_with_files_submit_and_review_by_the_level_above(self) -> None:
        problem = new_problem(self.p, self.p.branch1, "API问题", campaign=new_campaign(self.p, self.p.committee))
        base = reverse("problem-detail", args=[problem.pk])
        self.login(self.p.branch1_manager)
        response = self.client.post(f"{base}progress/", {"text": "补齐", "files": [png()]}, format="multipart")
        self.assertEqual(response.status_code, 201, response.data)
        self.assertEqual(len(response.data["files"]), 1)
        foreign = self.client.post(f"{base}progress/", {"text": "x", "milestone": 2**63}, format="json")
        self.assertEqual(foreign.status_code, 400)
        self.assertEqual(self.client.post(f"{base}submit/").data["status"], ProblemStatus.SUBMITTED)
        refused = self.client.post(f"{base}review/", {"decision": "close"}, format="json")
        self.assertEqual(refused.status_code, 403)
        self.login(self.p.branch2_manager)
        self.assertEqual(self.client.post(f"{base}review/", {"decision": "close"}, format="json").status_code, 404)
        self.login(self.p.committee_manager)
        self.assertEqual(self.client.post(f"{base}review/", {"decision": "close"}, format="json").status_code, 201)
        again = self.client.post(f"{base}review/", {"decision": "return", "comment": "x"}, format="json")
        self.assertEqual(again.status_code, 400)
        self.assertIn("刚由", str(again.data))
        early = self.client.post(f"{base}reopen/", {"comment": "回头看"}, format="json")
        self.assertEqual(early.status_code, 201, early.data)

    def test_a_close_out_request_through_the_api_carries_its_note(self) -> None:
        problem = new_problem(self.p, self.p.branch1, "API问题")
        base = reverse("problem-detail", args=[problem.pk])
        self.login(self.p.branch1_manager)
        too_long = self.client.post(f"{base}submit/", {"note": "补" * 501}, format="json")
        self.assertEqual(too_long.status_code, 400)
        self.assertIn("note", too_long.data)
        self.assertEqual(Problem.objects.get(pk=problem.pk).status, problem.status)
        Milestone.objects.create(problem=problem, title="补录记录", due=problem.deadline)
        unexplained = self.client.post(f"{base}submit/", {}, format="json")
        self.assertEqual(unexplained.status_code, 400)
        self.assertIn("尚有时间节点未完成", str(unexplained.data["note"]))
        self.assertEqual(self.client.post(f"{base}submit/", {"note": "已补录全部记录"}, format="json").status_code, 200)
        self.client.force_login(self.p.committee_manager)
        trail = self.client.get(problem.get_absolute_url()).context["reviews"]
        self.assertEqual([(t["label"], t["text"]) for t in trail], [("申请销号", "已补录全部记录")])

    def test_project_files_take_a_phase_and_files_and_keep_a_long_names_extension(self) -> None:
        project = new_project(self.p, self.p.branch1)
        url = reverse("project-files", args=[project.pk])
        self.login(self.p.branch1_manager)
        for body in ([], None, "str", 123, [1, 2], {"phase": "during"}):
            response = self.client.post(url, body, format="json")
            self.assertEqual(response.status_code, 400, (body, response.content))
        long_name = "照" * 300 + ".png"
        response = self.client.post(url, {"phase": "before", "files": [png(long_name)]}, format="multipart")
        self.assertEqual(response.status_code, 201, response.data)
        (stored,) = response.data
        self.assertTrue(stored["name"].endswith(".png"))
        self.assertEqual(len(stored["name"]), 200)

    def test_a_gap_filed_through_the_api_is_listed_with_its_rectification_and_not_filed_twice(self) -> None:
        self.login(self.p.branch2_manager)
        gap = next(g for g in self.client.get("/api/gaps/", {"org": self.p.branch2.pk}).data["results"]
                   if g["rule"] == "orgs.branch.min_full_members")
        self.assertIsNone(gap["followup"])
        today = timezone.localdate()
        body = {"org": self.p.branch2.pk, "title": gap["title"], "description": gap["detail"], "source": "gap",
                "found_on": str(today), "standard": "s", "measures": "m",
                "deadline": str(today + datetime.timedelta(days=30)), "gap_rule": gap["check"],
                "gap_org": gap["org"], "gap_title": gap["title"], "gap_ref": gap["ref"]}
        created = self.client.post(reverse("problem-list"), body, format="json")
        self.assertEqual(created.status_code, 201, created.data)
        problem = Problem.objects.get(pk=created.data["id"])
        listed = next(g for g in self.client.get("/api/gaps/", {"org": self.p.branch2.pk}).data["results"]
                      if g["rule"] == "orgs.branch.min_full_members")
        self.assertEqual(listed["followup"], {"label": f"已列入整改 {problem.ledger_no}",
                                              "url": problem.get_absolute_url(), "closed": False})
        self.assertEqual(problem.gap_ref, "orgs.branch.min_full_members")
        del body["gap_ref"]  # a client that does not know the reference: the only such gap there is meant
        again = self.client.post(reverse("problem-list"), body, format="json")
        self.assertEqual(again.status_code, 400)
        self.assertIn(problem.ledger_no, str(again.data))
        self.assertEqual(Problem.objects.count(), 1)

    def test_required_activities_are_listed_added_and_removed_within_the_scope(self) -> None:
        from campaigns.models import Requirement
        from learning.tests.helpers import new_activity

        campaign = new_campaign(self.p, self.p.branch1, "支部主题教育")
        lecture = new_activity(self.p, self.p.branch1)
        other = new_activity(self.p, self.p.branch2, 2)
        url = reverse("campaign-requirements", args=[campaign.pk])
        body = {"kind": "study", "title": "专题党课", "hours": "4.0", "due": str(timezone.localdate()),
                "activity": lecture.pk}
        self.login(self.p.branch1_manager)
        added = self.client.post(url, body, format="json")
        self.assertEqual(added.status_code, 201, added.data)
        self.assertEqual([r["title"] for r in added.data], ["专题党课"])
        refused = self.client.post(url, {**body, "activity": other.pk}, format="json")
        self.assertEqual(refused.status_code, 400)
        self.assertIn("activity", refused.data)
        self.assertEqual(self.client.post(url, {**body, "kind": "x"}, format="json").status_code, 400)
        self.login(self.p.inspector)
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(self.client.post(url, body, format="json").status_code, 403)
        self.login(self.p.branch2_manager)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url, body, format="json").status_code, 404)
        requirement = Requirement.objects.get(campaign=campaign)
        removal = f"{url}{requirement.pk}/"
        self.assertEqual(self.client.delete(removal).status_code, 404)
        self.login(self.p.branch1_manager)
        self.assertEqual(self.client.delete(removal).status_code, 204)
        self.assertEqual(self.client.delete(removal).status_code, 404)
        self.assertEqual(list(ObjectChange.objects.filter(object_repr="专题党课").values_list("action", flat=True)
                              .order_by("pk")), ["create", "delete"])

    def test_project_milestones_through_the_api(self) -> None:
        project = new_project(self.p, self.p.branch1, "加装电梯")
        url = reverse("project-milestones", args=[project.pk])
        due = str(timezone.localdate() + datetime.timedelta(days=7))
        self.login(self.p.branch2_manager)
        self.assertEqual(self.client.post(url, {"title": "施工", "due": due}, format="json").status_code, 404)
        self.login(self.p.branch1_manager)
        added = self.client.post(url, {"title": "施工", "due": due}, format="json")
        self.assertEqual(added.status_code, 201, added.data)
        self.assertEqual([m["title"] for m in self.client.get(url).data], ["施工"])
        self.assertEqual(self.client.post(url, {"title": "", "due": "明天"}, format="json").status_code, 400)
        self.assertEqual(project.milestones.count(), 1)

    def test_a_bad_deadline_is_a_400_naming_the_field_and_saves_nothing(self) -> None:
        self.login(self.p.branch1_manager)
        today = timezone.localdate()
        response = self.client.post(reverse("problem-list"), {
            "org": self.p.branch1.pk, "title": "x", "description": "y", "source": "self", "found_on": str(today),
            "standard": "s", "measures": "m", "deadline": str(today - datetime.timedelta(days=2))}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("deadline", response.data)
        self.assertFalse(Problem.objects.exists())

    def test_launching_a_template_outside_the_scope_is_refused(self) -> None:
        self.login(self.p.branch1_manager)
        url = reverse("campaign-launch")
        self.assertEqual(self.client.post(url, {"template": "2024", "org": self.p.branch2.pk}, format="json")
                         .status_code, 400)
        response = self.client.post(url, {"template": "2024", "org": self.p.branch1.pk}, format="json")
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.data["requirement"], "学纪、知纪、明纪、守纪")


@override_settings(MEDIA_ROOT="/tmp/chuxin-test-media")
class PagesTest(PersonaTestCase):
    def test_two_clicks_from_a_gap_to_a_rectification(self) -> None:
        self.client.force_login(self.p.branch2_manager)
        gaps = self.client.get(reverse("orgs:organization_gaps", args=[self.p.branch2.pk]))
        link = next(line for line in gaps.content.decode().split('href="') if line.startswith(
            reverse("campaigns:problem_add")))
        url = link.split('"')[0].replace("&amp;", "&")
        form = self.client.get(url)  # click 1: the form, filled from the gap
        self.assertEqual(form.status_code, 200)
        data = {k: v for k, v in form.context["form"].initial.items() if v not in (None, "")}
        for key, value in list(data.items()):
            data[key] = getattr(value, "pk", value)
        fields = form.context["form"].fields
        post = {name: data.get(name, "") for name in fields}
        post.update({k: str(v) for k, v in post.items() if isinstance(v, datetime.date)})
        response = self.client.post(url, post)  # click 2: save
        self.assertEqual(response.status_code, 302, response.context and response.context["form"].errors)
        problem = Problem.objects.get()
        from urllib.parse import parse_qs, urlsplit

        query = parse_qs(urlsplit(url).query)
        self.assertEqual((problem.source, problem.gap_org_id, problem.gap_rule, problem.gap_title),
                         ("gap", int(query["org"][0]), query["gap"][0], query["title"][0]))
        self.assertContains(self.client.get(problem.get_absolute_url()), "这项差距目前仍然存在")
        # The gap now links to its rectification instead of offering a second one, which is refused anyway.
        listed = self.client.get(reverse("orgs:organization_gaps", args=[self.p.branch2.pk])).content.decode()
        self.assertIn(f'href="{problem.get_absolute_url()}">已列入整改 {problem.ledger_no}<', listed)
        self.assertNotIn(url.split("?")[1].replace("&", "&amp;"), listed)
        response = self.client.post(url, post)
        self.assertContains(response, f"这项差距已列入整改（{problem.ledger_no}）")
        self.assertEqual(Problem.objects.count(), 1)
        # Once closed, a gap that is still there may be filed again.
        Problem.objects.filter(pk=problem.pk).update(status="closed")
        listed = self.client.get(reverse("orgs:organization_gaps", args=[self.p.branch2.pk])).content.decode()
        self.assertIn(url.split("?")[1].replace("&", "&amp;"), listed)
        self.client.force_login(self.p.branch1_manager)
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_evidence_files_are_served_only_within_the_scope(self) -> None:
        from campaigns import services

        problem = new_problem(self.p, self.p.branch1, "有照片")
        services.add_progress(problem, acting_user=self.p.branch1_manager, text="照片", files=[png()])
        evidence = Evidence.objects.get()
        for user, status in ((self.p.branch1_manager, 200), (self.p.committee_manager, 200),
                             (self.p.branch2_manager, 404), (self.p.outsider, 404)):
            self.client.force_login(user)
            self.assertEqual(self.client.get(evidence.get_absolute_url()).status_code, status, user)

    def test_problem_pages_show_the_actions_each_person_may_take(self) -> None:
        problem = new_problem(self.p, self.p.branch1, "页面问题", owner=self.p.member)
        self.client.force_login(self.p.member_user)
        page = self.client.get(problem.get_absolute_url())
        self.assertContains(page, "submit-close")
        self.assertContains(self.client.get(reverse("campaigns:problem_list")), "页面问题")
        self.client.post(reverse("campaigns:problem_progress", args=[problem.pk]), {"text": "已整改"})
        self.client.post(reverse("campaigns:problem_submit", args=[problem.pk]))
        self.client.force_login(self.p.committee_manager)
        self.assertContains(self.client.get(problem.get_absolute_url()), "review-save")
        self.client.post(reverse("campaigns:problem_review", args=[problem.pk]), {"decision": "close"})
        self.assertEqual(Problem.objects.get(pk=problem.pk).status, ProblemStatus.CLOSED)


class ChecklistAPITest(APIViewTestCases.GetObjectViewTestCase, APIViewTestCases.ListObjectsViewTestCase,
                       APIViewTestCases.CreateObjectViewTestCase, APIViewTestCases.DeleteObjectViewTestCase):
    model = Checklist
    basename = "checklist"
    list_queries = 4

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> Checklist:
        from campaigns import services

        return services.create_checklist(Checklist(org=org, title=f"清单{n}"), acting_user=p.admin,
                                         items=[("对照党章", "是否坚定理想信念")])

    def create_data(self) -> dict[str, Any]:
        return {"org": self.p.branch1.pk, "title": "支部检视清单",
                "item_list": [{"section": "对照准则", "text": "是否严守纪律"}, {"text": "是否联系群众"}]}

    def test_assign_within_the_scope_only(self) -> None:
        self.login(self.p.branch1_manager)
        url = reverse("checklist-assign", args=[self.obj1.pk])
        refused = self.client.post(url, {"members": [self.p.branch2_members[0].pk]}, format="json")
        self.assertEqual(refused.status_code, 400)
        made = self.client.post(url, {"members": [self.p.member.pk], "orgs": [self.p.branch1.pk]}, format="json")
        self.assertEqual(made.status_code, 201, made.data)
        self.assertEqual(len(made.data), 2)
        self.login(self.p.member_user)
        assignment = next(a for a in made.data if a["member"] == self.p.member.pk)
        item = Checklist.objects.get(pk=self.obj1.pk).items.get()
        answered = self.client.post(reverse("assignment-answer", args=[assignment["id"]]),
                                    {"answers": [{"item": item.pk, "answer": "no", "note": "不够"}], "submit": True},
                                    format="json")
        self.assertEqual(answered.status_code, 200, answered.data)
        self.assertIsNotNone(answered.data["submitted_at"])


class EssayToProblemTest(PersonaTestCase):
    def test_a_reviewer_files_an_essay_as_a_problem_and_a_sibling_cannot(self) -> None:
        from essays.tests.helpers import author, essay_text, new_request, write

        request = new_request(self.p, self.p.committee)
        essay = write(request, author(self.p.member, "essay-author"), essay_text(0))
        self.client.force_login(self.p.branch1_manager)
        self.assertContains(self.client.get(essay.get_absolute_url()), "file-problem")
        form = self.client.get(reverse("campaigns:problem_add") + f"?essay={essay.pk}")
        self.assertEqual(form.context["form"].instance.essay, essay)
        self.assertEqual(form.context["form"].instance.source, "essay")
        self.client.force_login(self.p.branch2_manager)
        self.assertEqual(self.client.get(reverse("campaigns:problem_add") + f"?essay={essay.pk}").status_code, 404)
