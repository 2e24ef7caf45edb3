from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from rest_framework.authtoken.models import Token

from core.choices import Role
from core.models import ObjectChange
from core.testing.api import APITestCase, APIViewTestCases
from core.testing.personas import Personas, id_number, new_group, new_member
from orgs import services
from orgs.choices import Gender, OrgKind, Status, TransferStatus
from orgs.models import Member, Organization, RoleGrant, Transfer

TODAY = datetime.date(2025, 3, 1)


#
# The generic suites, one per endpoint
#


class OrganizationAPITest(APIViewTestCases.APIViewTestCase):
    model = Organization
    basename = "organization"
    list_queries = 3

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> Organization:
        return new_group(p, org, n)

    def create_data(self) -> dict[str, Any]:
        return {"code": "NEW-1", "name": "新建党小组", "kind": OrgKind.GROUP, "parent": self.p.branch1.pk}

    def update_data(self) -> dict[str, Any]:
        return {"name": "更名后的党小组", "unit_name": "某单位"}


class MemberAPITest(APIViewTestCases.APIViewTestCase):
    model = Member
    basename = "member"
    list_queries = 3

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> Member:
        return new_member(p, org, n)

    def create_data(self) -> dict[str, Any]:
        birth = datetime.date(1992, 8, 8)
        return {
            "org": self.p.branch1.pk, "name": "新党员", "gender": Gender.FEMALE, "birth_date": "1992-08-08",
            "id_number": id_number(birth, Gender.FEMALE, 300), "phone": "13712345678", "status": Status.FULL,
            "admission_date": "2015-07-01", "conversion_date": "2016-07-01",
        }

    def update_data(self) -> dict[str, Any]:
        return {"job": "教师", "phone": "13987654321"}


class TransferAPITest(
    APIViewTestCases.GetObjectViewTestCase, APIViewTestCases.ListObjectsViewTestCase,
    APIViewTestCases.CreateObjectViewTestCase,
):
    model = Transfer
    basename = "transfer"
    list_queries = 3

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> Transfer:
        member = new_member(p, org, n)
        return Transfer.objects.create(member=member, from_org=org, to_outside="外省某党支部", date=TODAY)

    def create_data(self) -> dict[str, Any]:
        return {"member": self.p.branch1_members[1].pk, "to_org": self.p.branch2.pk, "date": "2025-03-01",
                "reason": "工作调动"}


class RoleGrantAPITest(
    APIViewTestCases.GetObjectViewTestCase, APIViewTestCases.ListObjectsViewTestCase,
    APIViewTestCases.CreateObjectViewTestCase, APIViewTestCases.DeleteObjectViewTestCase,
):
    model = RoleGrant
    basename = "rolegrant"
    list_queries = 3

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> RoleGrant:
        user = get_user_model().objects.create(username=f"grantee-{org.pk}-{n}")
        return RoleGrant.objects.create(user=user, role=Role.INSPECTOR, org=org)

    def create_data(self) -> dict[str, Any]:
        return {"username": self.p.outsider.username, "role": Role.INSPECTOR, "org": self.p.branch1.pk}


#
# Behaviour beyond the generic suites
#


class MemberAPIBehaviourTest(APITestCase):
    def test_id_number_and_phone_are_masked_for_everyone(self) -> None:
        member = self.p.branch1_members[0]
        for user in (self.p.admin, self.p.branch1_manager, self.p.inspector, self.p.member_user):
            self.login(user)
            data = self.client.get(reverse("member-detail", args=[member.pk])).data
            self.assertEqual(data["id_number"], member.id_number_masked)
            self.assertEqual(data["phone"], member.phone_masked)
            self.assertNotEqual(data["id_number"], member.id_number)

    def test_member_role_sees_only_their_own_record(self) -> None:
        self.login(self.p.member_user)
        self.assertEqual(self.ids(self.client.get(reverse("member-list"))), {self.p.member.pk})

    def test_list_filters_by_subtree_status_and_text(self) -> None:
        self.login(self.p.committee_manager)
        url = reverse("member-list")
        branch2 = {m.pk for m in self.p.branch2_members}
        self.assertEqual(self.ids(self.client.get(url, {"org": self.p.branch2.pk})), branch2)
        probationary = self.ids(self.client.get(url, {"status": Status.PROBATIONARY}))
        self.assertEqual(probationary, {m.pk for m in self.p.branch1_members if m.status == Status.PROBATIONARY})
        self.assertEqual(self.ids(self.client.get(url, {"q": "陈静"})), {self.p.branch2_members[0].pk})

    def test_filter_on_organization_outside_scope_is_rejected_like_a_missing_one(self) -> None:
        self.login(self.p.branch1_manager)
        outside = self.client.get(reverse("member-list"), {"org": self.p.branch2.pk})
        missing = self.client.get(reverse("member-list"), {"org": 999999})
        self.assertEqual(outside.status_code, 400)
        self.assertEqual(outside.data, missing.data)

    def test_creating_in_sibling_branch_is_answered_like_a_missing_branch(self) -> None:
        self.login(self.p.branch1_manager)
        data = {**MemberAPITest.create_data(self), "org": self.p.branch2.pk}  # type: ignore[arg-type]
        outside = self.client.post(reverse("member-list"), data, format="json")
        missing = self.client.post(reverse("member-list"), {**data, "org": 999999}, format="json")
        self.assertEqual(outside.status_code, 400)
        self.assertEqual(set(outside.data), {"org"})
        self.assertEqual(len(outside.data["org"]), len(missing.data["org"]))

    def test_moving_a_member_out_of_scope_is_refused(self) -> None:
        self.login(self.p.branch1_manager)
        member = self.p.branch1_members[2]
        response = self.client.patch(reverse("member-detail", args=[member.pk]), {"org": self.p.branch2.pk},
                                     format="json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Member.objects.get(pk=member.pk).org_id, self.p.branch1.pk)

    def test_invalid_fields_give_per_field_errors(self) -> None:
        self.login(self.p.branch1_manager)
        data = {**MemberAPITest.create_data(self), "id_number": "110105199208080001", "phone": "12",  # type: ignore[arg-type]
                "birth_date": "not-a-date"}
        response = self.client.post(reverse("member-list"), data, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("birth_date", response.data)
        data["birth_date"] = "1992-08-08"
        response = self.client.post(reverse("member-list"), data, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(set(response.data), {"id_number", "phone"})
        self.assertIn("校验码", str(response.data["id_number"][0]))

    def test_model_rules_are_enforced(self) -> None:
        self.login(self.p.branch1_manager)
        data = {**MemberAPITest.create_data(self), "conversion_date": None}  # type: ignore[arg-type]
        response = self.client.post(reverse("member-list"), data, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("conversion_date", response.data)

    def test_malformed_json_is_a_bad_request(self) -> None:
        self.login(self.p.branch1_manager)
        for body in ('{"name": ', "[1, 2]", '"text"'):
            response = self.client.post(reverse("member-list"), body, content_type="application/json")
            self.assertEqual(response.status_code, 400, body)
        response = self.client.patch(reverse("member-detail", args=[self.p.member.pk]), "{oops",
                                     content_type="application/json")
        self.assertEqual(response.status_code, 400)

    def test_status_change_through_api_records_history(self) -> None:
        self.login(self.p.branch1_manager)
        member = self.p.branch1_members[3]
        response = self.client.patch(reverse("member-detail", args=[member.pk]),
                                     {"status": Status.FULL, "conversion_date": "2025-07-01"}, format="json")
        self.assertEqual(response.status_code, 200, response.data)
        self.assertTrue(member.status_changes.filter(from_status=Status.PROBATIONARY, to_status=Status.FULL).exists())


class RevealAPITest(APITestCase):
    def reveal(self, member: Member, field: str) -> Any:
        return self.client.post(reverse("member-reveal", args=[member.pk]), {"field": field}, format="json")

    def test_manager_reads_the_full_value_and_the_read_is_logged(self) -> None:
        member = self.p.branch1_members[0]
        self.login(self.p.branch1_manager)
        response = self.reveal(member, "id_number")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.data, {"field": "id_number", "value": member.id_number})
        self.assertEqual(self.reveal(member, "phone").data["value"], member.phone)
        ct = ContentType.objects.get_for_model(Member)
        logged = ObjectChange.objects.filter(content_type=ct, object_id=member.pk, action="reveal")
        self.assertEqual(logged.count(), 2)
        self.assertEqual({c.user_id for c in logged}, {self.p.branch1_manager.pk})

    def test_inspector_may_not_reveal(self) -> None:
        self.login(self.p.inspector)
        self.assertEqual(self.reveal(self.p.branch1_members[0], "id_number").status_code, 403)
        self.assertFalse(ObjectChange.objects.filter(action="reveal").exists())

    def test_sibling_branch_member_is_not_found(self) -> None:
        self.login(self.p.branch2_manager)
        self.assertEqual(self.reveal(self.p.branch1_members[0], "id_number").status_code, 404)

    def test_unknown_field_is_a_bad_request(self) -> None:
        self.login(self.p.branch1_manager)
        response = self.reveal(self.p.branch1_members[0], "name")
        self.assertEqual(response.status_code, 400)
        self.assertIn("field", response.data)


class TransferFlowAPITest(APITestCase):
    branch3: ClassVar[Organization]
    branch3_manager: ClassVar[Any]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.branch3 = services.create_organization(
            Organization(code="T03", name="第三党支部", kind=OrgKind.BRANCH, parent=cls.p.committee),
            acting_user=cls.p.admin,
        )
        cls.branch3_manager = get_user_model().objects.create(username="branch3")
        services.grant_role(RoleGrant(user=cls.branch3_manager, role=Role.MANAGER, org=cls.branch3),
                            acting_user=cls.p.admin)

    def start(self, member: Member, to_org: Organization) -> Any:
        self.login(self.p.branch1_manager)
        response = self.client.post(reverse("transfer-list"), {
            "member": member.pk, "to_org": to_org.pk, "date": "2025-03-01", "reason": "工作调动",
        }, format="json")
        self.assertEqual(response.status_code, 201, response.data)
        return response.data

    def act(self, user: Any, transfer_id: int, action: str, body: dict[str, Any] | None = None) -> Any:
        self.login(user)
        return self.client.post(reverse(f"transfer-{action}", args=[transfer_id]), body or {}, format="json")

    def test_confirm_moves_the_member_to_the_receiving_branch(self) -> None:
        member = self.p.branch1_members[1]
        transfer = self.start(member, self.p.branch2)
        self.assertEqual(transfer["status"], TransferStatus.PENDING)
        self.assertEqual(transfer["from_org"], self.p.branch1.pk)

        self.login(self.p.branch2_manager)
        self.assertIn(transfer["id"], self.ids(self.client.get(reverse("transfer-list"))))
        self.login(self.branch3_manager)
        self.assertNotIn(transfer["id"], self.ids(self.client.get(reverse("transfer-list"))))
        self.assertEqual(self.act(self.branch3_manager, transfer["id"], "confirm").status_code, 404)

        response = self.act(self.p.branch2_manager, transfer["id"], "confirm", {"reply": "同意接收"})
        self.assertEqual(response.status_code, 200, response.data)
        self.assertEqual(response.data["status"], TransferStatus.CONFIRMED)
        member.refresh_from_db()
        self.assertEqual(member.org_id, self.p.branch2.pk)
        self.assertIsNone(member.group_id)
        self.login(self.p.branch2_manager)
        self.assertEqual(self.client.get(reverse("member-detail", args=[member.pk])).status_code, 200)
        self.login(self.p.branch1_manager)
        self.assertEqual(self.client.get(reverse("member-detail", args=[member.pk])).status_code, 404)

    def test_only_the_receiving_side_confirms(self) -> None:
        transfer = self.start(self.p.branch1_members[1], self.p.branch2)
        response = self.act(self.p.branch1_manager, transfer["id"], "confirm")
        self.assertEqual(response.status_code, 403)
        self.assertIn("接收方", str(response.data["detail"]))

    def test_reject_needs_a_reason(self) -> None:
        transfer = self.start(self.p.branch1_members[1], self.p.branch2)
        response = self.act(self.p.branch2_manager, transfer["id"], "reject", {"reply": "  "})
        self.assertEqual(response.status_code, 400)
        self.assertIn("reply", response.data)
        response = self.act(self.p.branch2_manager, transfer["id"], "reject", {"reply": "材料不全"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.data["status"], TransferStatus.REJECTED)
        self.assertEqual(Member.objects.get(pk=self.p.branch1_members[1].pk).org_id, self.p.branch1.pk)

    def test_sending_side_cancels_and_a_handled_transfer_cannot_be_handled_again(self) -> None:
        transfer = self.start(self.p.branch1_members[1], self.p.branch2)
        self.assertEqual(self.act(self.p.branch2_manager, transfer["id"], "cancel").status_code, 403)
        response = self.act(self.p.branch1_manager, transfer["id"], "cancel", {"changelog_message": "录入错误"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.data["status"], TransferStatus.CANCELLED)
        response = self.act(self.p.branch2_manager, transfer["id"], "confirm")
        self.assertEqual(response.status_code, 400)
        self.assertIn("non_field_errors", response.data)

    def test_transfer_to_a_non_branch_is_refused(self) -> None:
        self.login(self.p.branch1_manager)
        response = self.client.post(reverse("transfer-list"), {
            "member": self.p.branch1_members[1].pk, "to_org": self.p.committee.pk, "date": "2025-03-01",
        }, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("to_org", response.data)

    def test_second_pending_transfer_of_the_same_member_is_refused(self) -> None:
        self.start(self.p.branch1_members[1], self.p.branch2)
        self.login(self.p.branch1_manager)
        response = self.client.post(reverse("transfer-list"), {
            "member": self.p.branch1_members[1].pk, "to_org": self.branch3.pk, "date": "2025-03-02",
        }, format="json")
        self.assertEqual(response.status_code, 400, response.data)

    def test_inspector_of_the_receiving_branch_cannot_confirm(self) -> None:
        self.login(self.p.branch2_manager)
        response = self.client.post(reverse("transfer-list"), {
            "member": self.p.branch2_members[0].pk, "to_org": self.p.branch1.pk, "date": "2025-03-01",
        }, format="json")
        self.assertEqual(response.status_code, 201, response.data)
        self.assertEqual(self.act(self.p.inspector, response.data["id"], "confirm").status_code, 403)


class RoleGrantBehaviourTest(APITestCase):
    def grant(self, user: Any, data: dict[str, Any]) -> Any:
        self.login(user)
        return self.client.post(reverse("rolegrant-list"), data, format="json")

    def test_branch_manager_cannot_grant_administrator(self) -> None:
        response = self.grant(self.p.branch1_manager, {"username": self.p.outsider.username, "role": Role.ADMIN})
        self.assertEqual(response.status_code, 403)
        self.assertIn("管理员", str(response.data["detail"]))
        self.assertFalse(RoleGrant.objects.filter(user=self.p.outsider).exists())

    def test_branch_manager_cannot_grant_on_sibling_branch(self) -> None:
        data = {"username": self.p.outsider.username, "role": Role.MANAGER, "org": self.p.branch2.pk}
        response = self.grant(self.p.branch1_manager, data)
        self.assertEqual(response.status_code, 400)
        self.assertIn("org", response.data)
        self.assertFalse(RoleGrant.objects.filter(user=self.p.outsider).exists())

    def test_administrator_grants_administrator(self) -> None:
        response = self.grant(self.p.admin, {"username": self.p.outsider.username, "role": Role.ADMIN})
        self.assertEqual(response.status_code, 201, response.data)
        self.assertEqual(response.data["username"], self.p.outsider.username)

    def test_non_admin_role_needs_an_organization(self) -> None:
        response = self.grant(self.p.admin, {"username": self.p.outsider.username, "role": Role.MANAGER})
        self.assertEqual(response.status_code, 400)
        self.assertIn("non_field_errors", response.data)

    def test_duplicate_grant_is_refused(self) -> None:
        data = {"username": self.p.inspector.username, "role": Role.INSPECTOR, "org": self.p.branch1.pk}
        self.assertEqual(self.grant(self.p.branch1_manager, data).status_code, 400)

    def test_unknown_username_is_a_field_error(self) -> None:
        data = {"username": "nobody", "role": Role.INSPECTOR, "org": self.p.branch1.pk}
        response = self.grant(self.p.branch1_manager, data)
        self.assertEqual(response.status_code, 400)
        self.assertIn("username", response.data)

    def test_grants_cannot_be_edited_in_place(self) -> None:
        grant = RoleGrant.objects.get(user=self.p.inspector)
        self.login(self.p.branch1_manager)
        response = self.client.patch(reverse("rolegrant-detail", args=[grant.pk]), {"role": Role.MANAGER},
                                     format="json")
        self.assertEqual(response.status_code, 405)


class GapsAPITest(APITestCase):
    url = "/api/gaps/"

    def rules_by_org(self, response: Any) -> set[tuple[str, int]]:
        return {(g["rule"], g["org"]) for g in self.results(response)}

    def test_branch_with_two_full_members_shows_the_minimum_size_gap(self) -> None:
        self.login(self.p.branch2_manager)
        response = self.client.get(self.url, {"org": self.p.branch2.pk})
        self.assertIn(("orgs.branch.min_full_members", self.p.branch2.pk), self.rules_by_org(response))
        gap = next(g for g in response.data["results"] if g["rule"] == "orgs.branch.min_full_members")
        self.assertEqual(gap["org_code"], self.p.branch2.code)
        self.assertTrue(gap["source"])

    def test_sibling_gaps_are_not_visible(self) -> None:
        self.login(self.p.branch1_manager)
        self.assertEqual(self.client.get(self.url, {"org": self.p.branch2.pk}).status_code, 404)
        self.assertEqual(self.client.get(self.url, {"org": 999999}).status_code, 404)
        orgs = {org for _rule, org in self.rules_by_org(self.client.get(self.url))}
        self.assertNotIn(self.p.branch2.pk, orgs)

    def test_without_org_the_committee_sees_its_whole_subtree(self) -> None:
        self.login(self.p.committee_manager)
        self.assertIn(("orgs.branch.min_full_members", self.p.branch2.pk), self.rules_by_org(self.client.get(self.url)))

    def test_a_manager_whose_record_moved_away_is_a_gap_of_the_branch_they_still_manage(self) -> None:
        from orgs import services

        secretary = self.p.branch1_members[2]
        Member.objects.filter(pk=secretary.pk).update(user=self.p.branch1_manager)
        self.login(self.p.committee_manager)

        def grant_gaps(org: Organization) -> list[dict[str, Any]]:
            return [g for g in self.results(self.client.get(self.url, {"org": org.pk}))
                    if g["rule"] == "orgs.grants.holder_left"]

        self.assertEqual(grant_gaps(self.p.committee), [])
        secretary.refresh_from_db()
        services.update_member(secretary, acting_user=self.p.committee_manager,
                               changes={"org": self.p.branch2, "group": None})
        [gap] = grant_gaps(self.p.branch1)
        self.assertEqual(gap["org"], self.p.branch1.pk)
        self.assertIn(f"账号 branch1（{secretary.name}）", gap["detail"])
        self.assertIn("组织关系已转出本组织", gap["detail"])
        self.assertNotIn(self.p.branch2.name, gap["detail"])  # perhaps outside the viewer's scope
        self.assertEqual(grant_gaps(self.p.branch2), [])
        services.update_member(secretary, acting_user=self.p.committee_manager,
                               changes={"org": self.p.branch1, "status": "deceased"})
        self.assertIn("党籍状态为“死亡”", grant_gaps(self.p.branch1)[0]["detail"])
        RoleGrant.objects.filter(user=self.p.branch1_manager).delete()
        self.assertEqual(grant_gaps(self.p.committee), [])

    def test_date_and_severity_parameters(self) -> None:
        self.login(self.p.admin)
        self.assertEqual(self.client.get(self.url, {"date": "2025-13-40"}).status_code, 400)
        self.assertEqual(self.client.get(self.url, {"org": "x"}).status_code, 400)
        response = self.client.get(self.url, {"date": "2025-03-01", "severity": "hard"})
        self.assertTrue(all(g["severity"] == "hard" for g in self.results(response)))

    def test_anonymous_is_unauthorized(self) -> None:
        self.assertIn(self.client.get(self.url).status_code, (401, 403))


class AuthAndSchemaAPITest(APITestCase):
    def test_token_authentication(self) -> None:
        token = Token.objects.create(user=self.p.branch1_manager)
        client = self.client_class()
        response = client.get(reverse("member-list"), HTTP_AUTHORIZATION=f"Token {token.key}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["count"], len(self.p.branch1_members))
        response = client.get(reverse("member-list"), HTTP_AUTHORIZATION="Token wrong")
        self.assertEqual(response.status_code, 401)

    def test_session_authentication(self) -> None:
        self.client.force_login(self.p.inspector)
        self.assertEqual(self.client.get(reverse("organization-list")).status_code, 200)

    def test_schema_and_docs_are_served(self) -> None:
        self.login(self.p.branch1_manager)
        response = self.client.get(reverse("api-schema"))
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"/api/members/{id}/reveal/", response.content)
        self.assertEqual(self.client.get(reverse("api-docs")).status_code, 200)

    def test_organization_output_has_no_tree_path(self) -> None:
        self.login(self.p.branch1_manager)
        data = self.client.get(reverse("organization-detail", args=[self.p.branch1.pk])).data
        self.assertNotIn("path", data)
        self.assertEqual(data["parent"], self.p.committee.pk)
        self.assertTrue(data["url"].endswith(f"/api/orgs/{self.p.branch1.pk}/"))

    def test_organization_filter_lists_the_subtree(self) -> None:
        self.login(self.p.admin)
        ids = self.ids(self.client.get(reverse("organization-list"), {"org": self.p.branch1.pk}))
        self.assertEqual(ids, {self.p.branch1.pk, self.p.group.pk})

    def test_deleting_an_organization_with_members_is_refused(self) -> None:
        self.login(self.p.branch1_manager)
        response = self.client.delete(reverse("organization-detail", args=[self.p.branch1.pk]))
        self.assertEqual(response.status_code, 400)
        self.assertIn("non_field_errors", response.data)


class MemberMaskedRoundTripTest(APITestCase):
    def test_putting_back_the_masked_values_of_a_get_changes_nothing_but_the_edited_field(self) -> None:
        self.login(self.p.branch1_manager)
        member = self.p.member
        url = reverse("member-detail", args=[member.pk])
        data = self.client.get(url).json()
        self.assertIn("*", data["id_number"])
        data["job"] = "出纳"
        response = self.client.put(url, data, format="json")
        self.assertEqual(response.status_code, 200, response.content)
        member.refresh_from_db()
        self.assertEqual((member.job, member.id_number, member.phone),
                         ("出纳", self.p.member.id_number, self.p.member.phone))


class MemberRoleGapsAPITest(APITestCase):
    def test_a_member_gets_no_gaps_of_their_own_branch(self) -> None:
        self.login(self.p.committee_manager)
        self.assertTrue(self.results(self.client.get("/api/gaps/", {"org": self.p.branch1.pk})))
        self.login(self.p.member_user)
        self.assertEqual(self.client.get("/api/gaps/", {"org": self.p.branch1.pk}).status_code, 404)
        self.assertEqual(self.results(self.client.get("/api/gaps/")), [])
