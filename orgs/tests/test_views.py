"""Pages of organizations, members and grants, through the generic page suites plus what is particular."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from core.models import ObjectChange
from core.testing.personas import Personas, id_number, new_group, new_member
from core.testing.views import PersonaTestCase, ViewTestCases
from orgs import services
from orgs.choices import Status, TransferStatus
from orgs.models import Member, Organization, RoleGrant, Transfer


class MemberViewTest(ViewTestCases.PrimaryObjectViewTestCase):
    model = Member
    url_prefix = "orgs:member"
    list_queries = 7

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> Member:
        return new_member(p, org, n)

    def update_data(self) -> dict[str, Any]:
        return {"phone": "13912345678", "job": "教研组长"}

    def export_marker(self, obj: Member) -> str:
        return obj.name


class OrganizationViewTest(ViewTestCases.PrimaryObjectViewTestCase):
    model = Organization
    url_prefix = "orgs:organization"
    list_queries = 7

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> Organization:
        return new_group(p, org, n)

    def update_data(self) -> dict[str, Any]:
        return {"name": "改名后的党小组", "unit_name": "第一车间"}

    def export_marker(self, obj: Organization) -> str:
        return obj.code


class MemberPageTest(PersonaTestCase):
    def test_the_member_role_sees_the_own_record_and_nothing_else(self) -> None:
        self.client.force_login(self.p.member_user)
        self.assertEqual(self.client.get(self.p.member.get_absolute_url()).status_code, 200)
        self.assertEqual(self.client.get(self.p.branch1_members[1].get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(reverse("orgs:member_edit", args=[self.p.member.pk])).status_code, 403)

    def test_id_number_and_phone_are_masked_on_the_page(self) -> None:
        self.client.force_login(self.p.inspector)
        member = self.p.member
        number = member.id_number or ""
        response = self.client.get(member.get_absolute_url())
        self.assertNotContains(response, number)
        self.assertNotContains(response, member.phone)
        self.assertContains(response, number[:6] + "********" + number[-4:])
        self.assertNotContains(response, "显示完整")

    def test_a_manager_reveals_the_full_id_number_and_the_view_is_logged(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        member = self.p.member
        self.assertContains(self.client.get(member.get_absolute_url()), "显示完整")
        response = self.client.post(reverse("orgs:member_reveal", args=[member.pk, "id_number"]))
        self.assertContains(response, member.id_number or "-")
        change = ObjectChange.objects.get(action="reveal", object_id=member.pk)
        self.assertEqual(change.user, self.p.branch1_manager)

    def test_reveal_is_403_for_the_inspector_and_404_for_the_sibling(self) -> None:
        url = reverse("orgs:member_reveal", args=[self.p.member.pk, "phone"])
        self.client.force_login(self.p.inspector)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.client.force_login(self.p.branch2_manager)
        self.assertEqual(self.client.post(url).status_code, 404)
        self.assertFalse(ObjectChange.objects.filter(action="reveal").exists())

    def test_search_by_last_digits_of_the_id_number(self) -> None:
        self.client.force_login(self.p.committee_manager)
        target = self.p.branch2_members[0]
        response = self.client.get(reverse("orgs:member_list"), {"q": (target.id_number or "")[-4:]})
        self.assertContains(response, target.get_absolute_url())
        self.assertNotContains(response, self.p.member.get_absolute_url())

    def test_filter_by_status_and_organization_subtree(self) -> None:
        self.client.force_login(self.p.committee_manager)
        query = {"org": str(self.p.branch1.pk), "status": "probationary"}
        response = self.client.get(reverse("orgs:member_list"), query)
        rows = list(response.context["page"].object_list)
        self.assertEqual([m.name for m in rows], ["刘洋"])

    def test_a_status_change_is_recorded_in_the_status_history(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        member = Member.objects.get(name="刘洋")
        response = self.client.post(reverse("orgs:member_status", args=[member.pk]),
                                    {"status": Status.FULL, "date": "2025-06-30", "reason": "支部大会讨论通过按期转正"})
        self.assertEqual(response.status_code, 302)
        member.refresh_from_db()
        self.assertEqual((member.status, member.conversion_date), (Status.FULL, datetime.date(2025, 6, 30)))
        step = member.status_changes.get()
        self.assertEqual((step.from_status, step.to_status), (Status.PROBATIONARY, Status.FULL))

    def test_a_member_change_also_shows_in_the_organizations_history(self) -> None:
        services.update_member(self.p.member, acting_user=self.p.branch1_manager, changes={"job": "会计"})
        self.client.force_login(self.p.branch1_manager)
        response = self.client.get(reverse("orgs:organization_history", args=[self.p.branch1.pk]))
        shown = list(response.context["page"].object_list)
        self.assertTrue(any(c.object_id == self.p.member.pk and c.action == "update" for c in shown))

    def test_invalid_id_number_is_refused_with_a_clear_message_and_nothing_is_saved(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        before = Member.objects.count()
        response = self.client.post(reverse("orgs:member_add"), {
            "name": "错号", "gender": "M", "ethnicity": "汉族", "birth_date": "1990-01-01",
            "id_number": "11010519900101001X", "category": "employed", "status": "full", "org": self.p.branch1.pk,
            "admission_date": "2015-01-01", "conversion_date": "2016-01-01",
        })
        self.assertEqual(response.status_code, 200)
        self.assertIn("校验码", " ".join(response.context["form"].errors["id_number"]))
        self.assertEqual(Member.objects.count(), before)

    def test_a_manager_cannot_create_a_member_in_the_sibling_branch(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        birth = datetime.date(1990, 1, 1)
        response = self.client.post(reverse("orgs:member_add"), {
            "name": "越权", "gender": "M", "ethnicity": "汉族", "birth_date": "1990-01-01",
            "id_number": id_number(birth, "M", 900), "category": "employed", "status": "full",
            "org": self.p.branch2.pk, "admission_date": "2015-01-01", "conversion_date": "2016-01-01",
        })
        self.assertEqual(response.status_code, 200)
        self.assertIn("org", response.context["form"].errors)
        self.assertFalse(Member.objects.filter(name="越权").exists())

    def test_a_manager_creates_an_account_for_a_member_of_the_subtree(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        member = self.p.branch1_members[1]
        response = self.client.post(reverse("orgs:member_account", args=[member.pk]),
                                    {"username": "wangfang", "password": "a-long-password", "role": "member"})
        self.assertEqual(response.status_code, 302)
        account = get_user_model().objects.get(member__pk=member.pk)
        self.assertEqual(account.username, "wangfang")
        self.assertTrue(RoleGrant.objects.filter(user=account, role="member", org=self.p.branch1).exists())


class TransferPageTest(PersonaTestCase):
    def test_the_forms_start_from_today_and_a_refused_status_change_says_why(self) -> None:
        from django.utils import timezone

        member = self.p.branch1_members[0]
        self.client.force_login(self.p.branch1_manager)
        today = f'value="{timezone.localdate():%Y-%m-%d}"'
        self.assertContains(self.client.get(reverse("orgs:member_transfer", args=[member.pk])), today)
        self.assertContains(self.client.get(reverse("orgs:member_status", args=[member.pk])), today)
        refused = self.client.post(reverse("orgs:member_status", args=[member.pk]),
                                   {"status": "applicant", "date": "2025-01-01", "reason": "测试"})
        self.assertContains(refused, "状态为“入党申请人”时不应有入党时间")
        member.refresh_from_db()
        self.assertEqual(member.status, "full")

    def test_a_transfer_is_confirmed_by_the_receiving_branch_and_the_record_follows(self) -> None:
        member = self.p.branch1_members[1]
        self.client.force_login(self.p.branch1_manager)
        wrong = self.client.post(reverse("orgs:member_transfer", args=[member.pk]), {
            "to_org": "T99", "date": "2025-03-01", "reason": "工作调动"})
        self.assertContains(wrong, "找不到组织编码为“T99”的党支部，请向接收方核实编码")
        response = self.client.post(reverse("orgs:member_transfer", args=[member.pk]), {
            "to_org": self.p.branch2.code, "date": "2025-03-01", "reason": "工作调动"})
        self.assertEqual(response.status_code, 302)
        transfer = Transfer.objects.get(member=member)
        self.assertEqual(transfer.status, TransferStatus.PENDING)
        # The sender cannot confirm on the receiver's behalf.
        self.client.post(reverse("orgs:transfer_action", args=[transfer.pk, "confirm"]))
        transfer.refresh_from_db()
        self.assertEqual(transfer.status, TransferStatus.PENDING)

        self.client.force_login(self.p.branch2_manager)
        self.assertEqual(self.client.get(transfer.get_absolute_url()).status_code, 200)
        self.assertEqual(self.client.get(member.get_absolute_url()).status_code, 404)
        done = self.client.post(reverse("orgs:transfer_action", args=[transfer.pk, "confirm"]), {"reply": "同意接收"},
                                follow=True)
        self.assertContains(done, f"已接收：{member.name}的组织关系已转入{self.p.branch2.name}")
        transfer.refresh_from_db()
        member.refresh_from_db()
        self.assertEqual(transfer.status, TransferStatus.CONFIRMED)
        self.assertEqual((member.org, member.org_path), (self.p.branch2, self.p.branch2.path))
        self.assertEqual(self.client.get(member.get_absolute_url()).status_code, 200)
        self.client.force_login(self.p.branch1_manager)
        self.assertEqual(self.client.get(member.get_absolute_url()).status_code, 404)

    def test_the_receiving_branch_is_named_as_its_code_is_typed(self) -> None:
        url = reverse("orgs:branch_lookup")
        self.client.force_login(self.p.branch1_manager)
        self.assertContains(self.client.get(url, {"to_org": self.p.branch2.code}), self.p.branch2.name)
        self.assertContains(self.client.get(url, {"to_org": "T99"}), "找不到组织编码为“T99”的党支部")
        self.assertNotContains(self.client.get(url, {"to_org": self.p.committee.code}), self.p.committee.name)
        self.assertEqual(self.client.get(url, {"to_org": ""}).content, b"")
        same = self.client.get(url, {"to_org": self.p.branch1.code, "current": self.p.branch1.code})
        self.assertContains(same, "这是该党员现在所在的党支部")
        self.client.force_login(self.p.branch2_manager)  # a sibling's organization filter reads as missing
        listed = self.client.get(reverse("orgs:member_list"), {"org": str(self.p.branch1.pk)})
        self.assertContains(listed, "找不到这个组织，或它不在您的查看范围内")
        self.client.force_login(self.p.member_user)  # not a manager: nothing to look up
        self.assertEqual(self.client.get(url, {"to_org": self.p.branch2.code}).status_code, 404)

    def test_a_transfer_to_outside_marks_the_member_transferred_out(self) -> None:
        member = self.p.branch1_members[2]
        self.client.force_login(self.p.branch1_manager)
        self.client.post(reverse("orgs:member_transfer", args=[member.pk]), {
            "to_outside": "外省某县委组织部", "date": "2025-03-01", "reason": "迁居"})
        member.refresh_from_db()
        self.assertEqual(member.status, Status.TRANSFERRED_OUT)


class OrganizationPageTest(PersonaTestCase):
    def test_the_organization_page_shows_counts_and_its_structure_warning(self) -> None:
        self.client.force_login(self.p.committee_manager)
        response = self.client.get(self.p.branch2.get_absolute_url())
        self.assertEqual(response.context["counts"]["full"], 2)
        self.assertContains(response, "正式党员不足3人")
        response = self.client.get(self.p.committee.get_absolute_url())
        self.assertEqual(response.context["counts"]["branches"], 2)
        self.assertEqual(response.context["counts"]["probationary"], 1)

    def test_the_gap_page_lists_the_subtree_and_hides_the_sibling(self) -> None:
        self.client.force_login(self.p.committee_manager)
        response = self.client.get(reverse("orgs:organization_gaps", args=[self.p.committee.pk]))
        self.assertContains(response, "第二党支部")
        self.client.force_login(self.p.branch1_manager)
        self.assertEqual(self.client.get(reverse("orgs:organization_gaps", args=[self.p.branch2.pk])).status_code, 404)
        response = self.client.get(reverse("orgs:organization_gaps", args=[self.p.branch1.pk]))
        self.assertNotContains(response, "第二党支部")

    def test_a_term_that_ended_is_a_warning(self) -> None:
        services.update_organization(self.p.branch1, acting_user=self.p.admin, changes={
            "term_start": datetime.date(2020, 1, 1), "term_end": datetime.date(2023, 1, 1)})
        self.client.force_login(self.p.branch1_manager)
        self.assertContains(self.client.get(self.p.branch1.get_absolute_url()), "任期已届满")

    def test_the_tree_expands_children_only_in_scope(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        committee_tree = reverse("orgs:organization_tree", args=[self.p.committee.pk])
        self.assertEqual(self.client.get(committee_tree).status_code, 404)
        response = self.client.get(reverse("orgs:organization_tree", args=[self.p.branch1.pk]))
        self.assertContains(response, "第一党小组")

    def test_an_expanded_node_reads_like_the_first_level_counts_and_all(self) -> None:
        from orgs.choices import MEMBER_STATUSES
        from orgs.models import Member

        self.client.force_login(self.p.committee_manager)
        page = self.client.get(self.p.committee.get_absolute_url()).content.decode()
        in_group = Member.objects.filter(group=self.p.group, status__in=MEMBER_STATUSES).count()
        self.assertGreater(in_group, 0)
        expanded = self.client.get(reverse("orgs:organization_tree", args=[self.p.branch1.pk])).content.decode()
        self.assertEqual(page.count("cx-tree-toggle"), 1)  # branch1 has a group below it; branch2 has none
        self.assertIn(f"{in_group} 名党员", expanded)
        # A node without children has nothing to expand.
        self.assertNotIn("cx-tree-toggle", expanded)
        self.assertIn("bi-dot", expanded)

    def test_english_is_available(self) -> None:
        self.client.force_login(self.p.committee_manager)
        self.client.post(reverse("set_language"), {"language": "en", "next": "/"})
        response = self.client.get(self.p.committee.get_absolute_url())
        self.assertContains(response, 'lang="en"')


class GrantPageTest(PersonaTestCase):
    def test_grants_list_is_scoped(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        response = self.client.get(reverse("orgs:grant_list"))
        usernames = {g.user.username for g in response.context["page"].object_list}
        self.assertIn("inspector", usernames)
        self.assertNotIn("branch2", usernames)
        self.assertNotIn("admin", usernames)

    def test_a_branch_manager_grants_inspector_on_their_branch_but_not_on_the_sibling(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        url = reverse("orgs:grant_add")
        response = self.client.post(url, {"username": "outsider", "role": "inspector", "org": self.p.branch1.pk})
        self.assertEqual(response.status_code, 302)
        response = self.client.post(url, {"username": "outsider", "role": "manager", "org": self.p.branch2.pk})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(self.p.outsider.role_grants.filter(org=self.p.branch2).exists())
        # The administrator role is not offered to a manager; posted anyway, the form refuses it (the service
        # would too, with a 403).
        response = self.client.post(url, {"username": "outsider", "role": "admin", "org": ""})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].has_error("role"))
        self.assertFalse(self.p.outsider.role_grants.filter(role="admin").exists())
        ct = ContentType.objects.get_for_model(self.p.outsider.role_grants.model)
        self.assertEqual(ObjectChange.objects.filter(content_type=ct, user=self.p.branch1_manager).count(), 1)


class MemberEditFormTest(PersonaTestCase):
    def test_the_edit_form_shows_personal_numbers_masked_and_keeps_them_when_unchanged(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        member = self.p.member
        url = reverse("orgs:member_edit", args=[member.pk])
        response = self.client.get(url)
        self.assertNotContains(response, member.id_number or "-")
        self.assertNotContains(response, member.phone)
        form = response.context["form"]
        data = {name: form.initial.get(name, field.initial) for name, field in form.fields.items()}
        data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items() if v not in (None, False)}
        data["job"] = "出纳"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        member.refresh_from_db()
        self.assertEqual((member.job, member.id_number, member.phone),
                         ("出纳", self.p.member.id_number, self.p.member.phone))
        self.assertFalse(ObjectChange.objects.filter(action="reveal").exists())

    def test_a_note_is_bounded_and_shown_on_the_members_page(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        member = self.p.member
        url = reverse("orgs:member_edit", args=[member.pk])
        form = self.client.get(url).context["form"]
        data = {name: form.initial.get(name, field.initial) for name, field in form.fields.items()}
        data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items() if v not in (None, False)}
        self.assertContains(self.client.post(url, {**data, "note": "注" * 2001}), "2000")
        self.assertEqual(self.client.post(url, {**data, "note": "2025年起担任楼栋长"}).status_code, 302)
        self.assertContains(self.client.get(member.get_absolute_url()), "2025年起担任楼栋长")


class ConcurrentEditTest(PersonaTestCase):
    def form_data(self, url: str) -> dict[str, Any]:
        response = self.client.get(url)
        form = response.context["form"]
        data = {name: form.initial.get(name, field.initial) for name, field in form.fields.items()}
        data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items() if v not in (None, False)}
        data["chuxin_version"] = response.context["version"]
        self.assertContains(response, f'name="chuxin_version" value="{data["chuxin_version"]}"')
        return data

    def test_a_form_opened_before_someone_else_saved_is_refused_and_overwrites_nothing(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        member = self.p.branch1_members[1]
        url = reverse("orgs:member_edit", args=[member.pk])
        stale = self.form_data(url)
        services.update_member(member, acting_user=self.p.committee_manager, changes={"workplace": "市委党校"})
        stale["job"] = "出纳"
        response = self.client.post(url, stale)
        self.assertContains(response, "committee于", status_code=409)
        self.assertContains(response, "本次未保存", status_code=409)
        member.refresh_from_db()
        self.assertEqual((member.workplace, member.job), ("市委党校", self.p.branch1_members[1].job))
        fresh = self.form_data(url)  # reloaded: the other edit is there, and saving works
        fresh["job"] = "出纳"
        self.assertEqual(self.client.post(url, fresh).status_code, 302)
        member.refresh_from_db()
        self.assertEqual((member.workplace, member.job), ("市委党校", "出纳"))

    def test_a_form_sent_twice_saves_once_and_the_second_is_no_conflict(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        member = self.p.branch1_members[1]
        url = reverse("orgs:member_edit", args=[member.pk])
        data = self.form_data(url)
        data["job"] = "出纳"
        before = ObjectChange.objects.filter(object_id=member.pk).count()
        self.assertEqual(self.client.post(url, data).status_code, 302)
        second = self.client.post(url, data, follow=True)  # the same form again, as a double click sends it
        self.assertEqual(second.status_code, 200)
        self.assertContains(second, "已是提交的内容")
        self.assertNotContains(second, "本次未保存")
        member.refresh_from_db()
        self.assertEqual(member.job, "出纳")
        self.assertEqual(ObjectChange.objects.filter(object_id=member.pk).count(), before + 1)

    def test_a_second_form_with_the_same_values_is_no_conflict_but_one_with_other_values_is(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        member = self.p.branch1_members[1]
        url = reverse("orgs:member_edit", args=[member.pk])
        first, same, other = self.form_data(url), self.form_data(url), self.form_data(url)
        for data in (first, same):
            data["job"] = "出纳"
        other["job"] = "会计"
        self.assertEqual(self.client.post(url, first).status_code, 302)
        updated = Member.objects.get(pk=member.pk).updated
        self.assertEqual(self.client.post(url, same).status_code, 302)
        self.assertEqual(Member.objects.get(pk=member.pk).updated, updated)  # nothing written
        response = self.client.post(url, other)
        self.assertContains(response, "本次未保存", status_code=409)
        self.assertEqual(Member.objects.get(pk=member.pk).job, "出纳")

    def test_a_stale_object_passed_to_a_service_does_not_undo_other_fields(self) -> None:
        stale = Member.objects.get(pk=self.p.branch1_members[1].pk)
        services.update_member(Member.objects.get(pk=stale.pk), acting_user=self.p.committee_manager,
                               changes={"workplace": "市委党校", "org": self.p.branch2, "group": None})
        services.update_member(stale, acting_user=self.p.committee_manager, changes={"job": "出纳"})
        member = Member.objects.get(pk=stale.pk)
        self.assertEqual((member.workplace, member.job, member.org, member.org_path),
                         ("市委党校", "出纳", self.p.branch2, self.p.branch2.path))
        change = ObjectChange.objects.filter(object_id=member.pk, action="update").latest("pk")
        self.assertEqual(set((change.postchange_data or {}).items()) - set((change.prechange_data or {}).items()),
                         {("job", "出纳")})


class OrganizationCountsTest(PersonaTestCase):
    def test_the_group_shows_its_own_members_and_the_branch_counts_each_member_once(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        response = self.client.get(self.p.branch1.get_absolute_url())
        self.assertEqual(response.context["counts"]["full"], 3)
        self.assertEqual(response.context["counts"]["probationary"], 1)
        self.assertEqual(dict((c.pk, n) for c, n in response.context["children"]), {self.p.group.pk: 2})


class PersonalDataDisplayTest(PersonaTestCase):
    def test_a_viewer_who_may_not_reveal_sees_only_year_and_month_of_birth(self) -> None:
        member = self.p.member
        self.client.force_login(self.p.inspector)
        full = f"{member.birth_date:%Y-%m-%d}"
        for url in (member.get_absolute_url(), reverse("orgs:member_list")):
            response = self.client.get(url)
            self.assertNotContains(response, full)
            self.assertContains(response, f"{member.birth_date:%Y-%m}")
        api = self.client.get(reverse("member-detail", args=[member.pk])).json()
        self.assertEqual(api["birth_date"], f"{member.birth_date:%Y-%m}")
        self.client.force_login(self.p.branch1_manager)
        self.assertContains(self.client.get(member.get_absolute_url()), full)

    def test_the_history_shows_labels_not_codes(self) -> None:
        services.change_status(self.p.branch1_members[3], acting_user=self.p.branch1_manager, status=Status.FULL,
                               date=datetime.date(2025, 7, 1), reason="按期转正")
        self.client.force_login(self.p.branch1_manager)
        response = self.client.get(reverse("orgs:member_history", args=[self.p.branch1_members[3].pk]))
        self.assertContains(response, "预备党员")
        self.assertContains(response, "正式党员")
        self.assertNotContains(response, ">probationary<")


class StructureWarningTest(PersonaTestCase):
    def test_seven_full_members_without_a_committee_and_more_than_fifty_members_are_gaps(self) -> None:
        from core.gaps import gaps_for

        for n in range(47):
            new_member(self.p, self.p.branch1, 200 + n)
        rules = {g.rule for g in gaps_for(self.p.committee, rules=["orgs.structure"]) if g.org_id == self.p.branch1.pk}
        self.assertEqual(rules, {"orgs.branch.committee_min_full_members", "orgs.branch.max_members"})
        services.update_organization(self.p.branch1, acting_user=self.p.admin, changes={"has_committee": True})
        rules = {g.rule for g in gaps_for(self.p.committee, rules=["orgs.structure"]) if g.org_id == self.p.branch1.pk}
        self.assertEqual(rules, {"orgs.branch.max_members"})


class GapSummaryTest(PersonaTestCase):
    def test_a_large_subtree_first_shows_how_many_gaps_of_each_kind(self) -> None:
        from django.test import override_settings

        from campaigns.tests.helpers import new_problem
        from core.gaps import gap_rules, gaps_for

        overdue = new_problem(self.p, self.p.branch1, "逾期的问题", deadline_days=5, found_days_ago=20)
        self.client.force_login(self.p.committee_manager)
        url = reverse("orgs:organization_gaps", args=[self.p.committee.pk])
        size = Organization.objects.in_subtree(self.p.committee.path).count()
        with override_settings(CHUXIN_GAP_SUMMARY_ORGS=size - 1):
            summary = self.client.get(url)
            counted = {rule.key: n for rule, n in summary.context["summary"]}
            expected = {rule.key: len(gaps_for(self.p.committee, rules=[rule.key])) for rule in gap_rules()}
            self.assertEqual(counted, {k: n for k, n in expected.items() if n})
            self.assertEqual(counted["campaigns.overdue"], 1)
            self.assertEqual(summary.context["total"], sum(expected.values()))
            self.assertContains(summary, reverse("orgs:organization_gaps", args=[self.p.branch2.pk]))
            self.assertContains(summary, "?date=")
            listed = self.client.get(url, {"rule": "campaigns.overdue"})
            self.assertEqual([g.extra.get("problem") for g, _f in listed.context["gaps"]],
                             [overdue.pk])
            self.assertEqual(self.client.get(url, {"all": "1"}).context["total"], sum(expected.values()))
        # A small subtree lists its gaps at once; a branch manager never reaches the committee's page.
        self.assertIsNone(self.client.get(url).context["summary"])
        self.client.force_login(self.p.branch1_manager)
        with override_settings(CHUXIN_GAP_SUMMARY_ORGS=0):
            self.assertEqual(self.client.get(url).status_code, 404)
            own = self.client.get(reverse("orgs:organization_gaps", args=[self.p.branch1.pk]))
            self.assertNotIn(self.p.branch2.pk, [c.pk for c in own.context["children"]])


class GapExportTest(PersonaTestCase):
    def test_the_gap_list_exports_exactly_the_subtrees_gaps(self) -> None:
        self.client.force_login(self.p.committee_manager)
        url = reverse("orgs:organization_gaps", args=[self.p.committee.pk])
        response = self.client.get(url, {"export": "csv"})
        text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
        self.assertIn("T02", text)
        self.assertIn("正式党员不足3人", text)
        self.client.force_login(self.p.branch1_manager)
        url = reverse("orgs:organization_gaps", args=[self.p.branch1.pk])
        text = b"".join(self.client.get(url, {"export": "csv"}).streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
        self.assertNotIn("T02", text)
        self.assertEqual(self.client.get(url, {"export": "xlsx"}).status_code, 200)


class GrantRevokeLinkTest(PersonaTestCase):
    def test_a_manager_sees_revoke_links_and_an_inspector_does_not(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        self.assertContains(self.client.get(reverse("orgs:grant_list")), "撤销")
        response = self.client.get(reverse("orgs:grant_list"), {"role": "inspector"})
        self.assertEqual([g.user.username for g in response.context["page"].object_list], ["inspector"])
        self.client.force_login(self.p.inspector)
        self.assertNotContains(self.client.get(reverse("orgs:grant_list")), "撤销")


class MemberRoleOrganizationPageTest(PersonaTestCase):
    """A plain member opens their own branch's page; the roster, figures, leadership and gaps are not theirs."""

    def test_a_member_sees_the_branch_by_name_but_not_its_roster_leadership_or_gaps(self) -> None:
        from orgs.choices import PositionTitle
        from orgs.models import Position

        secretary = self.p.branch1_members[2]
        services.add_position(Position(org=self.p.branch1, member=secretary, title=PositionTitle.SECRETARY,
                                       term_start=datetime.date(2024, 1, 1)), acting_user=self.p.admin)
        gaps_url = reverse("orgs:organization_gaps", args=[self.p.branch1.pk])
        self.client.force_login(self.p.branch1_manager)
        response = self.client.get(self.p.branch1.get_absolute_url())
        self.assertContains(response, secretary.name)
        self.assertContains(response, gaps_url)
        self.client.force_login(self.p.member_user)
        response = self.client.get(self.p.branch1.get_absolute_url())
        self.assertContains(response, self.p.branch1.name)
        self.assertNotContains(response, secretary.name)
        self.assertNotContains(response, gaps_url)
        self.assertNotIn("counts", response.context)
        self.assertEqual(self.client.get(gaps_url).status_code, 404)
        self.assertEqual(self.client.get(gaps_url, {"export": "csv"}).status_code, 404)
        tree = reverse("orgs:organization_tree", args=[self.p.branch1.pk])
        self.assertEqual(self.client.get(tree).status_code, 404)  # nor the branch's party groups


class MemberPageRelatedRecordsTest(PersonaTestCase):
    def test_the_member_page_lists_only_the_transfers_and_positions_the_viewer_may_open(self) -> None:
        from orgs.choices import OrgKind, PositionTitle
        from orgs.models import Position

        admin = self.p.admin
        branch3 = services.create_organization(
            Organization(code="T09", name="第九党支部", kind=OrgKind.BRANCH, parent=self.p.committee),
            acting_user=admin)
        member = self.p.branch1_members[1]
        services.add_position(Position(org=self.p.committee, member=member, title=PositionTitle.ORGANIZATION,
                                       term_start=datetime.date(2024, 1, 1)), acting_user=admin)
        for to_org in (branch3, self.p.branch2):
            transfer = services.start_transfer(Transfer(member=member, to_org=to_org, date=datetime.date.today()),
                                               acting_user=admin)
            services.confirm_transfer(transfer, acting_user=admin)
        first, second = Transfer.objects.filter(member=member).order_by("pk")
        self.client.force_login(self.p.committee_manager)
        response = self.client.get(member.get_absolute_url())
        self.assertEqual(set(response.context["transfers"]), {first, second})
        self.assertEqual(len(response.context["positions"]), 1)
        self.client.force_login(self.p.branch2_manager)
        response = self.client.get(member.get_absolute_url())
        self.assertEqual(list(response.context["transfers"]), [second])  # branch1 → branch3 is not branch2's
        self.assertEqual(list(response.context["positions"]), [])  # a committee post, outside branch2
        self.assertNotContains(response, reverse("orgs:transfer_detail", args=[first.pk]))


class GapPageDateTest(PersonaTestCase):
    def test_a_date_before_a_regulation_took_effect_lists_no_gaps_of_that_check_and_says_so(self) -> None:
        self.client.force_login(self.p.committee_manager)
        url = reverse("orgs:organization_gaps", args=[self.p.committee.pk])
        response = self.client.get(url, {"date": "1990-06-01"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "1990-06-01时以下检查所依据的规定尚未施行")
        self.assertEqual(response.context["total"], 0)
        self.assertEqual(self.client.get(url, {"date": "1990-06-01", "export": "csv"}).status_code, 200)
        self.login_api_gaps("1990-06-01")

    def login_api_gaps(self, date: str) -> None:
        response = self.client.get("/api/gaps/", {"org": str(self.p.committee.pk), "date": date})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["results"], [])


class GrantListDateTest(PersonaTestCase):
    def test_the_grant_date_is_the_local_date(self) -> None:
        # 2026-11-21 23:30 UTC is already 2026-11-22 in China.
        RoleGrant.objects.filter(user=self.p.branch1_manager).update(
            created=datetime.datetime(2026, 11, 21, 23, 30, tzinfo=datetime.UTC))
        self.client.force_login(self.p.admin)
        response = self.client.get(reverse("orgs:grant_list"), {"q": "branch1"})
        self.assertContains(response, "2026-11-22")
        self.assertNotContains(response, "2026-11-21")


class SmallFormMessagesTest(PersonaTestCase):
    def test_only_an_administrator_is_offered_the_administrator_role(self) -> None:
        from django.urls import reverse

        for user, offered in ((self.p.committee_manager, False), (self.p.admin, True)):
            self.client.force_login(user)
            form = self.client.get(reverse("orgs:grant_add")).context["form"]
            self.assertEqual("admin" in [v for v, _label in form.fields["role"].choices], offered, user.username)

    def test_what_is_not_an_id_number_is_told_apart_from_a_member_out_of_reach(self) -> None:
        from essays.forms import EssayRequestForm

        sibling = self.p.branch2_members[0].id_number
        form = EssayRequestForm(data={"title": "心得", "org": str(self.p.branch1.pk), "deadline": "2099-01-01",
                                      "min_length": "300", "audience": "members",
                                      "member_ids": f"123\nabc\n{sibling}"}, user=self.p.branch1_manager)
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["member_ids"], ["这些不是有效的身份证号：123、abc",
                                                     f"这些身份证号不在您的管理范围内：{sibling}"])


class SingleOrganizationChoiceTest(PersonaTestCase):
    def test_a_manager_of_one_organization_finds_it_chosen_and_one_of_several_chooses(self) -> None:
        from learning.forms import ActivityForm

        only = Organization.objects.restrict(self.p.branch2_manager, "change")
        self.assertEqual(list(only), [self.p.branch2])
        self.assertEqual(ActivityForm(user=self.p.branch2_manager).initial.get("org"), self.p.branch2.pk)
        self.assertIsNone(ActivityForm(user=self.p.committee_manager).initial.get("org"))


class OddOrganizationParameterTest(PersonaTestCase):
    def test_lists_opened_with_an_organization_that_is_not_a_key_are_simply_unfiltered(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        for url in ("/members/", "/orgs/", "/campaigns/problems/", "/learning/activities/"):
            for value in ("%C2%B2", "99999999999999999999", "-1", "abc"):
                response = self.client.get(f"{url}?org={value}")
                self.assertIn(response.status_code, (200, 400), (url, value))
