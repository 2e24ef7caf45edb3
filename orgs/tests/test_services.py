"""Domain rules the services enforce, whatever the entry point (page, API, import, command)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import ObjectChange
from core.testing.personas import new_member
from core.testing.views import PersonaTestCase
from orgs import services
from orgs.choices import OrgKind, PositionTitle, Status, TransferStatus
from orgs.models import Organization, Position, RoleGrant, Transfer


class OrganizationShapeTest(PersonaTestCase):
    def test_a_committee_cannot_sit_under_a_branch(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            services.create_organization(Organization(code="X1", name="错位党委", kind=OrgKind.COMMITTEE,
                                                      parent=self.p.branch1), acting_user=self.p.admin)
        self.assertIn("parent", ctx.exception.message_dict)
        self.assertFalse(Organization.objects.filter(code="X1").exists())

    def test_a_branch_with_members_cannot_become_a_party_group(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            services.update_organization(self.p.branch1, acting_user=self.p.branch1_manager,
                                         changes={"kind": OrgKind.GROUP})
        self.assertIn("parent", ctx.exception.message_dict)
        self.p.branch1.refresh_from_db()
        self.assertEqual(self.p.branch1.kind, OrgKind.BRANCH)

    def test_the_api_refuses_the_same_with_400(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        url = reverse("organization-detail", args=[self.p.branch1.pk])
        response = self.client.patch(url, {"kind": "group"}, content_type="application/json")
        self.assertEqual(response.status_code, 400)

    def test_deleting_an_organization_with_grants_is_refused_not_cascaded(self) -> None:
        group = self.p.group
        RoleGrant.objects.create(user=self.p.outsider, role="inspector", org=group)
        with self.assertRaises(ValidationError):
            services.delete_organization(group, acting_user=self.p.admin)
        self.assertTrue(RoleGrant.objects.filter(org=group).exists())


class MemberLifecycleTest(PersonaTestCase):
    def test_deleting_a_member_who_holds_a_seat_is_a_clear_refusal(self) -> None:
        member = self.p.branch1_members[0]
        services.add_position(Position(org=self.p.branch1, title=PositionTitle.SECRETARY, member=member,
                                       term_start=datetime.date(2024, 1, 1)), acting_user=self.p.admin)
        self.client.force_login(self.p.branch1_manager)
        response = self.client.post(reverse("orgs:member_delete", args=[member.pk]))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(type(member).objects.filter(pk=member.pk).exists())
        response = self.client.delete(reverse("member-detail", args=[member.pk]))
        self.assertEqual(response.status_code, 400)

    def test_a_member_who_dies_gives_up_the_seat_and_cannot_be_brought_back(self) -> None:
        member = self.p.branch1_members[0]
        position = services.add_position(Position(org=self.p.branch1, title=PositionTitle.SECRETARY, member=member,
                                                  term_start=datetime.date(2024, 1, 1)), acting_user=self.p.admin)
        services.change_status(member, acting_user=self.p.branch1_manager, status=Status.DECEASED,
                               date=datetime.date(2025, 5, 1), reason="病故")
        position.refresh_from_db()
        self.assertEqual(position.term_end, datetime.date(2025, 5, 1))
        self.assertTrue(ObjectChange.objects.filter(object_id=position.pk, action="update").exists())
        with self.assertRaises(ValidationError):
            services.change_status(member, acting_user=self.p.branch1_manager, status=Status.FULL,
                                   date=datetime.date(2025, 6, 1), reason="x")

    def test_restoring_a_status_keeps_the_recorded_conversion_date(self) -> None:
        member = self.p.branch1_members[1]
        conversion = member.conversion_date
        services.change_status(member, acting_user=self.p.branch1_manager, status=Status.SUSPENDED,
                               date=datetime.date(2025, 1, 1), reason="失联")
        services.change_status(member, acting_user=self.p.branch1_manager, status=Status.FULL,
                               date=datetime.date(2025, 3, 1), reason="恢复")
        member.refresh_from_db()
        self.assertEqual(member.conversion_date, conversion)
        self.assertEqual(list(member.status_changes.order_by("date").values_list("date", flat=True)),
                         [datetime.date(2025, 1, 1), datetime.date(2025, 3, 1)])

    def test_transferred_out_only_through_a_transfer(self) -> None:
        with self.assertRaises(ValidationError):
            services.change_status(self.p.branch1_members[1], acting_user=self.p.branch1_manager,
                                   status=Status.TRANSFERRED_OUT, date=datetime.date(2025, 1, 1), reason="x")

    def test_a_status_change_keeps_the_record_consistent_and_is_dated_sensibly(self) -> None:
        member = self.p.branch1_members[0]  # a full member
        cases = (
            (Status.APPLICANT, datetime.date(2025, 1, 1), "admission_date", "状态为“入党申请人”时不应有入党时间"),
            (Status.SUSPENDED, datetime.date(1970, 1, 1), "date", "日期不能早于出生日期"),
            (Status.SUSPENDED, timezone.localdate() + datetime.timedelta(days=1), "date", "日期不能晚于今天"),
        )
        for status, date, field, message in cases:
            with self.subTest(status=status, date=date), self.assertRaises(ValidationError) as caught:
                services.change_status(member, acting_user=self.p.branch1_manager, reason="测试", status=status,
                                       date=date)
            self.assertIn(message, " ".join(caught.exception.message_dict[field]))
        services.change_status(member, acting_user=self.p.branch1_manager, status=Status.SUSPENDED,
                               date=datetime.date(2025, 3, 1), reason="失联")
        with self.assertRaisesMessage(ValidationError, "日期不能早于上一次状态变更（2025-03-01）"):
            services.change_status(member, acting_user=self.p.branch1_manager, status=Status.FULL,
                                   date=datetime.date(2025, 2, 1), reason="恢复")
        member.refresh_from_db()
        self.assertEqual((member.status, member.status_changes.count()), (Status.SUSPENDED, 1))

    def test_a_transfer_names_one_destination_and_a_sensible_date(self) -> None:
        member = self.p.branch1_members[1]
        cases = (
            ({"to_org": self.p.branch2, "to_outside": "外省某单位", "date": datetime.date(2025, 1, 1)}, "to_outside",
             "转入本系统内的党支部时不填转往单位"),
            ({"to_org": self.p.branch2, "date": datetime.date(1960, 1, 1)}, "date", "转出日期不能早于出生日期"),
            ({"to_org": self.p.branch2, "date": timezone.localdate() + datetime.timedelta(days=1)}, "date",
             "转出日期不能晚于今天"),
        )
        for kwargs, field, message in cases:
            with self.subTest(field=field, message=message), self.assertRaises(ValidationError) as caught:
                services.start_transfer(Transfer(member=member, **kwargs), acting_user=self.p.branch1_manager)
            self.assertIn(message, " ".join(caught.exception.message_dict[field]))
        self.assertFalse(Transfer.objects.filter(member=member).exists())

    def test_one_transfer_at_a_time_and_no_steps_before_the_record_begins(self) -> None:
        from orgs.models import Member

        member = self.p.branch1_members[1]
        Member.objects.filter(pk=member.pk).update(application_date=datetime.date(2005, 3, 1))
        member.refresh_from_db()
        before = datetime.date(2005, 2, 28)
        with self.assertRaisesMessage(ValidationError, "转出日期不能早于申请入党日期"):
            services.start_transfer(Transfer(member=member, to_org=self.p.branch2, date=before),
                                    acting_user=self.p.branch1_manager)
        services.start_transfer(Transfer(member=member, to_org=self.p.branch2, date=timezone.localdate()),
                                acting_user=self.p.branch1_manager)
        with self.assertRaisesMessage(ValidationError, "已有一份等待"):
            services.start_transfer(Transfer(member=member, to_outside="外省某单位", date=timezone.localdate()),
                                    acting_user=self.p.branch1_manager)
        member.refresh_from_db()
        self.assertNotEqual(member.status, Status.TRANSFERRED_OUT)
        self.assertEqual(Transfer.objects.filter(member=member).count(), 1)
        # A leaving status dated before the latest step the record shows is refused.
        other = self.p.branch1_members[2]
        latest = max(d for d in (other.application_date, other.activist_date, other.candidate_date,
                                 other.admission_date, other.conversion_date) if d)
        with self.assertRaisesMessage(ValidationError, "日期不能早于"):
            services.change_status(other, acting_user=self.p.branch1_manager, status=Status.SUSPENDED,
                                   date=latest - datetime.timedelta(days=1), reason="测试")
        services.change_status(other, acting_user=self.p.branch1_manager, status=Status.SUSPENDED,
                               date=latest, reason="测试")
        with self.assertRaisesMessage(ValidationError, "党籍状态没有变化"):
            services.change_status(other, acting_user=self.p.branch1_manager, status=Status.SUSPENDED,
                                   date=latest, reason="再来一次")

    def test_only_full_members_hold_seats(self) -> None:
        probationary = self.p.branch1_members[3]
        with self.assertRaises(ValidationError):
            services.add_position(Position(org=self.p.branch1, title=PositionTitle.MEMBER, member=probationary,
                                           term_start=datetime.date(2024, 1, 1)), acting_user=self.p.admin)


class TransferRecheckTest(PersonaTestCase):
    def test_a_transfer_cannot_be_confirmed_after_the_member_left_meanwhile(self) -> None:
        member = new_member(self.p, self.p.branch1, 40)
        pending = Transfer(member=member, to_org=self.p.branch2, date=datetime.date(2025, 3, 1))
        transfer = services.start_transfer(pending, acting_user=self.p.branch1_manager)
        services.change_status(member, acting_user=self.p.branch1_manager, status=Status.DECEASED,
                               date=datetime.date(2025, 3, 5), reason="病故")
        with self.assertRaises(ValidationError):
            services.confirm_transfer(transfer, acting_user=self.p.branch2_manager)
        transfer.refresh_from_db()
        member.refresh_from_db()
        self.assertEqual((transfer.status, member.org), (TransferStatus.PENDING, self.p.branch1))


class OrganizationPageScopeTest(PersonaTestCase):
    def test_an_ordinary_member_does_not_see_the_branch_roster(self) -> None:
        self.client.force_login(self.p.member_user)
        response = self.client.get(self.p.branch1.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("branch_members", response.context)
        self.assertNotContains(response, self.p.branch1_members[1].name)

    def test_search_by_more_than_the_four_visible_digits_finds_nothing(self) -> None:
        self.client.force_login(self.p.inspector)
        target = self.p.branch1_members[1]
        number = target.id_number or ""
        response = self.client.get(reverse("orgs:member_list"), {"q": number[-5:]})
        self.assertNotContains(response, target.get_absolute_url())
        response = self.client.get(reverse("orgs:member_list"), {"q": number[-4:]})
        self.assertContains(response, target.get_absolute_url())
