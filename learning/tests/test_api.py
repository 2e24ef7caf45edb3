"""The learning API: the generic suites, sign-in and bulk attendance, the ledger and compliance."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from core.testing.api import APITestCase, APIViewTestCases
from core.testing.personas import Personas
from learning import services
from learning.choices import StudyKind
from learning.models import Activity, Attendance, StudyRecord
from learning.tests.helpers import new_activity, open_now
from orgs.models import Organization


class ActivityAPITest(APIViewTestCases.APIViewTestCase):
    model = Activity
    basename = "activity"
    list_queries = 5

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> Activity:
        return new_activity(p, org, n)

    def create_data(self) -> dict[str, Any]:
        day = timezone.localdate()
        return {"org": self.p.branch1.pk, "title": "专题党课", "form": "lecture", "start": f"{day}T14:00:00+08:00",
                "end": f"{day}T16:00:00+08:00", "audience": "subtree"}

    def update_data(self) -> dict[str, Any]:
        return {"place": "三楼会议室"}

    def test_hours_and_kind_default_from_the_rules(self) -> None:
        self.login(self.p.branch1_manager)
        response = self.client.post(self.list_url(), self.create_data(), format="json")
        self.assertEqual((response.data["hours"], response.data["kind"]), ("2.0", "collective"))

    def test_the_sign_in_code_is_hidden_from_those_signing_in(self) -> None:
        activity = new_activity(self.p, self.p.branch1, 7, sign_in_code="5566")
        self.login(self.p.member_user)
        self.assertNotIn("sign_in_code", self.client.get(self.detail_url(activity)).data)
        self.login(self.p.branch1_manager)
        self.assertEqual(self.client.get(self.detail_url(activity)).data["sign_in_code"], "5566")


class StudyRecordAPITest(APIViewTestCases.APIViewTestCase):
    model = StudyRecord
    basename = "studyrecord"
    list_queries = 3

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> StudyRecord:
        member = p.branch1_members[0] if org == p.branch1 else p.branch2_members[0]
        return services.create_record(StudyRecord(member=member, date=timezone.localdate(), hours=Decimal(2),
                                                  kind=StudyKind.SELF, title=f"自学{n}"), acting_user=p.admin)

    def create_data(self) -> dict[str, Any]:
        return {"member": self.p.branch1_members[1].pk, "date": timezone.localdate().isoformat(), "hours": "3.0",
                "kind": "online", "title": "网络专题课"}

    def update_data(self) -> dict[str, Any]:
        return {"provider": "共产党员网"}

    def test_more_than_24_hours_or_a_negative_figure_is_a_400(self) -> None:
        self.login(self.p.branch1_manager)
        for hours in ("25", "-2"):
            response = self.client.post(self.list_url(), {**self.create_data(), "hours": hours}, format="json")
            self.assertEqual(response.status_code, 400, response.data)
            self.assertIn("hours", response.data)
        self.assertEqual(StudyRecord.objects.filter(title="网络专题课").count(), 0)


class AttendanceAPITest(APITestCase):
    def setUp(self) -> None:
        super().setUp()
        self.activity = open_now(new_activity(self.p, self.p.committee, 1))

    def test_a_member_signs_in_once(self) -> None:
        self.login(self.p.member_user)
        url = reverse("activity-sign-in", args=[self.activity.pk])
        self.assertEqual(self.client.post(url, {}, format="json").status_code, 201)
        again = self.client.post(url, {}, format="json")
        self.assertEqual(again.status_code, 400)
        self.assertEqual(Attendance.objects.count(), 1)

    def test_bulk_record_names_members_outside_the_scope_and_writes_nothing(self) -> None:
        self.login(self.p.branch1_manager)
        url = reverse("activity-record", args=[self.activity.pk])
        inside, outside = self.p.branch1_members[0], self.p.branch2_members[0]
        body = {"entries": [{"member": inside.pk, "status": "present"}, {"member": outside.pk, "status": "present"}]}
        response = self.client.post(url, body, format="json")
        self.assertEqual(response.status_code, 400, response.data)
        self.assertEqual(response.data["entries"], [f"党员 {outside.pk} 不存在或不在您的管理范围内"])
        self.assertFalse(Attendance.objects.exists())
        body["entries"] = body["entries"][:1]
        self.assertEqual(self.client.post(url, body, format="json").status_code, 200)
        self.assertEqual(Attendance.objects.get().member, inside)

    def test_malformed_bodies_are_400(self) -> None:
        self.login(self.p.committee_manager)
        url = reverse("activity-record", args=[self.activity.pk])
        member = self.p.branch1_members[0].pk
        bodies: list[Any] = [{}, {"entries": []}, {"entries": [{"member": member, "status": "sleeping"}]},
                  {"entries": [{"member": member, "status": "present"}] * 2}, {"entries": "x"},
                  *({"entries": [{"member": n, "status": "present"}]} for n in (2**63, 0, -2**63 - 1))]
        for body in bodies:
            self.assertEqual(self.client.post(url, body, format="json").status_code, 400, body)
        response = self.client.post(url, "{not json", content_type="application/json")
        self.assertEqual(response.status_code, 400)
        deep = self.client.post(url, "[" * 5000, content_type="application/json")
        self.assertEqual((deep.status_code, deep.json()), (400, {"detail": "JSON 格式错误：嵌套层数过多"}))

    def test_attendance_list_is_scoped(self) -> None:
        services.record_attendance(self.activity, [services.Entry(m, "present") for m in
                                                   (self.p.branch1_members[0], self.p.branch2_members[0])],
                                   acting_user=self.p.committee_manager)
        self.login(self.p.branch2_manager)
        members = {row["member"] for row in self.results(self.client.get(reverse("attendance-list")))}
        self.assertEqual(members, {self.p.branch2_members[0].pk})


class ComplianceAPITest(APITestCase):
    def test_compliance_by_child_and_scope(self) -> None:
        activity = new_activity(self.p, self.p.committee, 1, start=9, end=17)
        services.record_attendance(activity, [services.Entry(self.p.branch1_members[0], "present")],
                                   acting_user=self.p.committee_manager)
        self.login(self.p.committee_manager)
        url = reverse("compliance-list")
        data = self.client.get(url, {"org": self.p.committee.pk}).data
        self.assertEqual(data["total"]["members"], 6)
        by_code = {row["org_code"]: row for row in data["children"]}
        self.assertEqual(by_code["T01"]["hours"], "8.0")
        self.login(self.p.branch2_manager)
        self.assertEqual(self.client.get(url, {"org": self.p.branch1.pk}).status_code, 404)
        self.assertEqual(self.client.get(url).data["total"]["org_code"], "T02")
        self.assertEqual(self.client.get(url, {"year": "abc"}).status_code, 400)
        self.login(self.p.member_user)  # oversees no organization, so must name one
        unnamed = self.client.get(url)
        self.assertEqual((unnamed.status_code, unnamed.data), (400, {"org": ["请指定组织"]}))


class LedgerEndpointsScopeTest(APITestCase):
    def setUp(self) -> None:
        super().setUp()
        activity = new_activity(self.p, self.p.committee, 1, start=9, end=12)
        services.record_attendance(activity, [services.Entry(self.p.branch1_members[0], "present"),
                                              services.Entry(self.p.branch2_members[0], "present")],
                                   acting_user=self.p.committee_manager)

    def test_yearly_totals_and_points_leave_out_the_sibling_branch(self) -> None:
        for name in ("memberyear-list", "pointentry-list"):
            self.login(self.p.branch1_manager)
            members = {row["member"] for row in self.results(self.client.get(reverse(name)))}
            self.assertEqual(members, {self.p.branch1_members[0].pk}, name)
            self.login(self.p.member_user)
            members = {row["member"] for row in self.results(self.client.get(reverse(name)))}
            self.assertEqual(members, {self.p.member.pk}, name)
            self.login(self.p.outsider)
            self.assertEqual(self.results(self.client.get(reverse(name))), [], name)
