"""Event notifications: whoever a workflow step now waits for is told, and nobody else."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse

from core.models import Notification
from core.testing.views import PersonaTestCase


class EventNotificationTest(PersonaTestCase):
    def titles(self, user: Any) -> list[str]:
        return list(Notification.objects.filter(user=user).values_list("title", flat=True))

    def test_a_rectification_tells_the_level_above_when_submitted_and_the_branch_when_reviewed(self) -> None:
        from campaigns import services
        from campaigns.choices import ReviewDecision
        from campaigns.tests.helpers import new_problem

        problem = new_problem(self.p, self.p.branch1, "会议记录不全", owner=self.p.member)
        services.submit_for_close(problem, acting_user=self.p.branch1_manager)
        submitted = f"{problem.ledger_no}“会议记录不全”申请销号，请审核"
        self.assertEqual(self.titles(self.p.committee_manager), [submitted])
        self.assertEqual(self.titles(self.p.branch1_manager), [])  # who acted is not told
        self.assertEqual(self.titles(self.p.branch2_manager), [])
        note = Notification.objects.get(user=self.p.committee_manager)
        self.assertEqual(note.items, [{"title": submitted, "url": problem.get_absolute_url()}])
        services.review_problem(problem, acting_user=self.p.committee_manager, decision=ReviewDecision.RETURN,
                                comment="缺少会议记录照片")
        returned = f"{problem.ledger_no}“会议记录不全”被退回整改：缺少会议记录照片"
        self.assertEqual(self.titles(self.p.branch1_manager), [returned])
        owned = f"您是{problem.ledger_no}“会议记录不全”的整改责任人，办结时限{problem.deadline:%Y-%m-%d}"
        self.assertEqual(self.titles(self.p.member_user), [returned, owned])  # the responsible person
        self.assertEqual(self.titles(self.p.committee_manager), [submitted])
        self.assertEqual(self.titles(self.p.branch2_manager), [])
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get(reverse("notifications"))
        self.assertContains(page, f'href="{problem.get_absolute_url()}">{returned}</a>')

    def test_a_returned_essay_tells_its_author(self) -> None:
        from essays import services
        from essays.choices import Decision
        from essays.tests.helpers import OWN, new_request, write

        essay = write(new_request(self.p, self.p.branch1), self.p.member_user, OWN[0])
        services.review(essay.versions.get(), acting_user=self.p.branch1_manager, decision=Decision.RETURNED,
                        comment="请结合本职工作")
        self.assertEqual(self.titles(self.p.member_user), [f"心得体会《{essay.title}》被退回修改：请结合本职工作"])
        self.assertEqual(self.titles(self.p.branch2_manager), [])

    def test_the_sending_branch_hears_how_its_transfer_ended_and_a_cancelled_one_is_settled(self) -> None:
        from orgs import services
        from orgs.models import Transfer

        member, other = self.p.branch1_members[1], self.p.branch1_members[2]
        kept = services.start_transfer(Transfer(member=member, to_org=self.p.branch2, date=datetime.date.today()),
                                       acting_user=self.p.branch1_manager)
        services.confirm_transfer(kept, acting_user=self.p.branch2_manager)
        self.assertEqual(self.titles(self.p.branch1_manager), [f"{member.name}的组织关系已由{self.p.branch2.name}接收"])
        sent = services.start_transfer(Transfer(member=other, to_org=self.p.branch2, date=datetime.date.today()),
                                       acting_user=self.p.branch1_manager)
        services.reject_transfer(sent, acting_user=self.p.branch2_manager, reply="请先办理党费")
        self.assertIn(f"{other.name}的组织关系转接被{self.p.branch2.name}退回：请先办理党费",
                      self.titles(self.p.branch1_manager))
        again = services.start_transfer(Transfer(member=other, to_org=self.p.branch2, date=datetime.date.today()),
                                        acting_user=self.p.branch1_manager)
        services.cancel_transfer(again, acting_user=self.p.branch1_manager, message="填错日期")
        unread = Notification.objects.filter(user=self.p.branch2_manager, read_at__isnull=True)
        # The request to receive the cancelled transfer is settled; the two handled before stay as they were.
        self.assertEqual(unread.filter(kind="orgs.transfer").count(), 2)
        self.assertEqual(Notification.objects.filter(user=self.p.branch2_manager, kind="orgs.transfer",
                                                     read_at__isnull=False).count(), 1)
        self.assertEqual([n.title for n in unread.filter(kind="orgs.transfer_cancel")],
                         [f"{other.name}的组织关系转接已由{self.p.branch1.name}撤销"])
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get(again.get_absolute_url())
        self.assertContains(page, "撤销说明")
        self.assertContains(page, "填错日期")
        self.assertEqual(self.client.get(reverse("orgs:transfer_history", args=[again.pk])).status_code, 200)

    def test_a_transfer_tells_the_receiving_branch(self) -> None:
        from orgs import services
        from orgs.models import Transfer

        member = self.p.branch1_members[1]
        services.start_transfer(Transfer(member=member, to_org=self.p.branch2, date=datetime.date.today()),
                                acting_user=self.p.branch1_manager)
        self.assertEqual(self.titles(self.p.branch2_manager),
                         [f"{member.name}的组织关系由{self.p.branch1.name}转来，请接收"])
        self.assertEqual(self.titles(self.p.branch1_manager), [])

    def test_notifications_are_written_in_the_sites_language_whoever_acted(self) -> None:
        from django.utils import translation

        from orgs import services
        from orgs.models import Transfer

        member = self.p.branch1_members[1]
        with translation.override("en"):
            services.start_transfer(Transfer(member=member, to_org=self.p.branch2, date=datetime.date.today()),
                                    acting_user=self.p.branch1_manager)
        self.assertIn("请接收", self.titles(self.p.branch2_manager)[0])

    def test_a_checklist_given_tells_the_person_and_the_organizations_managers(self) -> None:
        from campaigns import services

        checklist = services.copy_checklist(self.p.committee, acting_user=self.p.committee_manager)
        services.assign_checklist(checklist, acting_user=self.p.committee_manager, members=[self.p.member],
                                  orgs=[self.p.branch1])
        from core.text import nested

        told = f"请填写检视清单“{nested(checklist.title)}”"  # the template's title holds quotation marks
        self.assertEqual(self.titles(self.p.member_user), [told])
        self.assertEqual(self.titles(self.p.branch1_manager), [told])
        self.assertEqual(self.titles(self.p.committee_manager), [])
        self.assertEqual(self.titles(self.p.branch2_manager), [])

    def test_a_checklist_given_to_many_people_tells_them_all_at_once(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from campaigns import services
        from orgs.models import Member

        people = self.p.branch1_members[:4]
        users = [type(self.p.member_user).objects.create_user(f"u{m.pk}") for m in people]
        for member, user in zip(people, users, strict=True):
            Member.objects.filter(pk=member.pk).update(user=user)
        checklist = services.copy_checklist(self.p.committee, acting_user=self.p.committee_manager)
        with CaptureQueriesContext(connection) as ctx:
            services.assign_checklist(checklist, acting_user=self.p.committee_manager,
                                      members=list(Member.objects.filter(pk__in=[m.pk for m in people])))
        inserts = [q for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "core_notification"')]
        self.assertEqual(len(inserts), 1)
        self.assertEqual(Notification.objects.filter(kind="campaigns.assigned").count(), 4)
        # Given to organizations, their managers are looked up in one query; a name given twice counts once.
        with CaptureQueriesContext(connection) as ctx:
            made = services.assign_checklist(checklist, acting_user=self.p.committee_manager,
                                             orgs=[self.p.branch1, self.p.branch2, self.p.branch1])
        self.assertEqual(len(made), 2)
        grants = [q for q in ctx.captured_queries if 'FROM "orgs_rolegrant"' in q["sql"]]
        self.assertEqual(len(grants), 1, [q["sql"] for q in grants])
        self.assertEqual(Notification.objects.filter(kind="campaigns.assigned", user__in=[
            self.p.branch1_manager, self.p.branch2_manager]).count(), 2)

    def test_a_deactivated_account_is_not_notified(self) -> None:
        from campaigns import services
        from campaigns.choices import ReviewDecision
        from campaigns.tests.helpers import new_problem

        type(self.p.member_user).objects.filter(pk=self.p.member_user.pk).update(is_active=False)
        problem = new_problem(self.p, self.p.branch1, "会议记录不全", owner=self.p.member)
        services.submit_for_close(problem, acting_user=self.p.branch1_manager)
        services.review_problem(problem, acting_user=self.p.committee_manager, decision=ReviewDecision.RETURN,
                                comment="缺少照片")
        self.assertEqual(self.titles(self.p.member_user), [])
        self.assertEqual(len(self.titles(self.p.branch1_manager)), 1)

    def test_a_quoted_title_is_quoted_once(self) -> None:
        from campaigns import services
        from campaigns.tests.helpers import new_problem

        problem = new_problem(self.p, self.p.branch1, "“三会一课”记录不规范")
        services.submit_for_close(problem, acting_user=self.p.branch1_manager)
        self.assertEqual(self.titles(self.p.committee_manager),
                         [f"{problem.ledger_no}“‘三会一课’记录不规范”申请销号，请审核"])

    def test_one_event_is_a_link_and_an_item_with_a_deadline_a_list(self) -> None:
        user = self.p.branch1_manager
        Notification.objects.create(user=user, kind="t", title="一件事", body="",
                                    items=[{"title": "一件事", "url": "/one/"}])
        Notification.objects.create(user=user, kind="t", title="到期提醒", body="",
                                    items=[{"title": "整改事项", "url": "/two/", "deadline": "2026-11-30"}])
        self.client.force_login(user)
        page = self.client.get(reverse("notifications")).content.decode()
        self.assertIn('href="/one/">一件事</a>', page)
        self.assertIn("<strong class=\"me-auto\">到期提醒</strong>", page)
        self.assertIn('<a href="/two/">整改事项</a> <span class="text-muted">时限 2026-11-30', page)
