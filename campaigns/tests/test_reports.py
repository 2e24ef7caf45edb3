"""Dashboard figures, the three-sheet ledger export, the daily digests, public feedback, benchmarking — each
checked for its figures and for scoping (a branch never sees its sibling)."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any, ClassVar

from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from campaigns import dashboard, digests, services
from campaigns.choices import ProblemStatus
from campaigns.models import Campaign, Feedback, Problem
from campaigns.tests.helpers import new_campaign, new_exemplar, new_problem, new_project
from core.models import Notification
from core.testing.views import PersonaTestCase


def close(problem: Problem, on: datetime.date) -> None:
    Problem.objects.filter(pk=problem.pk).update(status=ProblemStatus.CLOSED, closed_on=on)


class DashboardTest(PersonaTestCase):
    today: ClassVar[datetime.date]
    campaign: ClassVar[Campaign]
    a: ClassVar[Problem]
    b: ClassVar[Problem]
    c: ClassVar[Problem]
    d: ClassVar[Problem]
    e: ClassVar[Problem]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        p = cls.p
        cls.today = timezone.localdate()
        cls.campaign = new_campaign(p, p.committee, started_days_ago=45)
        goal, special = cls.campaign.categories.order_by("kind", "number")[:2]
        cls.a = new_problem(p, p.branch1, "甲", campaign=cls.campaign, category=goal, found_days_ago=40,
                            deadline_days=10)  # overdue
        cls.b = new_problem(p, p.branch1, "乙", campaign=cls.campaign, category=goal, found_days_ago=40,
                            deadline_days=30)
        cls.c = new_problem(p, p.group, "丙", campaign=cls.campaign, category=special, found_days_ago=5)
        cls.d = new_problem(p, p.branch2, "丁", campaign=cls.campaign, found_days_ago=3)
        cls.e = new_problem(p, p.committee, "戊", found_days_ago=2)  # outside the campaign
        close(cls.b, cls.today - datetime.timedelta(days=15))  # on time (deadline was 10 days ago)
        close(cls.a, cls.today)  # late

    def test_figures_by_category_and_child_and_the_series(self) -> None:
        board = dashboard.build(self.p.committee, on=self.today, campaign=self.campaign)
        total = board.total
        self.assertEqual((total.found, total.closed, total.overdue, total.on_time), (4, 2, 0, 1))
        children = {t.org.code if t.org else "": (t.found, t.closed) for t in board.by_child}
        self.assertEqual(children, {self.p.branch1.code: (3, 2), self.p.branch2.code: (1, 0)})
        cats = {t.label: t.found for t in board.by_category}
        self.assertEqual(sorted(cats.values()), [1, 1, 2])
        self.assertEqual(board.found_cumulative[-1], 4)
        self.assertEqual(board.closed_cumulative[-1], 2)
        self.assertEqual(board.close_rate_series[-1], 50.0)
        everything = dashboard.build(self.p.committee, on=self.today)
        own = next(t for t in everything.by_child if t.org == self.p.committee)
        self.assertEqual((everything.total.found, own.found), (5, 1))
        overdue_now = dashboard.build(self.p.branch1, on=self.today)
        self.assertEqual(overdue_now.total.found, 3)

    def test_branch_dashboard_and_ledgers_hold_only_the_branch(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        url = reverse("campaigns:dashboard", args=[self.p.branch1.pk])
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "cx-board-data")
        parent_board = reverse("campaigns:dashboard", args=[self.p.committee.pk])
        self.assertNotContains(response, parent_board)  # no link to a page that would answer 404
        self.assertEqual(self.client.get(reverse("campaigns:dashboard", args=[self.p.branch2.pk])).status_code, 404)
        self.assertEqual(self.client.get(parent_board).status_code, 404)
        self.client.force_login(self.p.committee_manager)
        self.assertContains(self.client.get(reverse("campaigns:dashboard", args=[self.p.group.pk])),
                            reverse("campaigns:dashboard", args=[self.p.branch1.pk]))
        self.client.force_login(self.p.branch1_manager)
        export = self.client.get(url, {"export": "xlsx"})
        book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(export.streaming_content)))  # type: ignore[attr-defined]
        self.assertEqual(book.sheet_names, ["问题清单", "整改清单", "责任清单"])
        problems = book.get_sheet_by_name("问题清单").to_python()
        self.assertEqual(sorted(row[4] for row in problems[1:]), ["丙", "乙", "甲"])
        duties = book.get_sheet_by_name("责任清单").to_python()
        self.assertEqual(len(duties), 4)
        self.client.force_login(self.p.committee_manager)
        api = self.client.get("/api/campaigns/dashboard/", {"org": self.p.branch2.pk})
        self.assertEqual(api.json()["total"]["found"], 1)
        self.client.force_login(self.p.branch1_manager)
        self.assertEqual(self.client.get("/api/campaigns/dashboard/", {"org": self.p.branch2.pk}).status_code, 404)

    def test_the_ledgers_speak_the_readers_language_to_the_last_cell(self) -> None:
        from django.utils import translation

        from campaigns.ledgers import write_ledgers

        new_problem(self.p, self.p.branch2, "逾期问题", found_days_ago=40, deadline_days=30)
        out = io.BytesIO()
        with translation.override("en"):
            write_ledgers(Problem.objects.filter(org=self.p.branch2), out, on=timezone.localdate())
        out.seek(0)
        rows = CalamineWorkbook.from_filelike(out).get_sheet_by_index(1).to_python()
        timely = rows[0].index("Closed on time")
        self.assertEqual({row[timely] for row in rows[1:]} - {""}, {"Overdue"})

    def test_benchmark_compares_with_an_exemplar_and_peers(self) -> None:
        exemplar = new_exemplar(self.p, self.p.committee, name="先进支部")
        exemplar.subject = self.p.branch2
        exemplar.save()
        self.client.force_login(self.p.committee_manager)
        response = self.client.get(reverse("campaigns:benchmark", args=[self.p.branch1.pk]),
                                   {"exemplar": exemplar.pk})
        self.assertEqual(response.status_code, 200)
        rows = {r["indicator"].key: r for r in response.context["rows"]}
        self.assertEqual(rows["close_rate"]["mine"], 66.7)
        self.assertEqual(rows["close_rate"]["exemplar"], 0.0)
        self.assertEqual([p["org"] for p in response.context["peers"]], [self.p.branch2])
        self.client.force_login(self.p.branch1_manager)  # the sibling branch is no peer of a branch's own view
        own = self.client.get(reverse("campaigns:benchmark", args=[self.p.branch1.pk]), {"exemplar": exemplar.pk})
        # The exemplar the committee published is compared with (its figures, not its records) …
        self.assertEqual(({r["indicator"].key: r for r in own.context["rows"]}["close_rate"]["exemplar"]), 0.0)
        # … but one sibling's figures are never shown, not even as an "average" of one.
        self.assertEqual((own.context["peers"], own.context["rows"][0]["average"]), ([], None))
        self.assertNotContains(own, self.p.branch2.name)
        self.assertContains(own, "可比的同级组织不足3个，不显示同级平均")
        # … and its figures are not even computed: one hidden peer cannot make an average shown.
        from unittest import mock

        from campaigns import benchmark

        with mock.patch.object(benchmark, "indicators", wraps=benchmark.indicators) as spy:
            self.client.get(reverse("campaigns:benchmark", args=[self.p.branch1.pk]))
        self.assertEqual([call.args[0] for call in spy.call_args_list], [self.p.branch1])
        self.client.force_login(self.p.branch2_manager)
        self.assertEqual(self.client.get(reverse("campaigns:benchmark", args=[self.p.branch1.pk])).status_code, 404)

    def test_a_person_is_not_offered_as_the_exemplar_of_an_organizations_figures(self) -> None:
        from campaigns.models import Exemplar

        person = services.create_exemplar(Exemplar(org=self.p.branch1, kind="person", member=self.p.member,
                                                   name=self.p.member.name, honours="2025年 优秀共产党员", year=2025),
                                          acting_user=self.p.admin)
        collective = new_exemplar(self.p, self.p.committee, name="先进支部")
        self.client.force_login(self.p.branch1_manager)
        url = reverse("campaigns:benchmark", args=[self.p.branch1.pk])
        self.assertEqual(list(self.client.get(url).context["exemplars"]), [collective])
        chosen = self.client.get(url, {"exemplar": person.pk})
        self.assertIsNone(chosen.context["chosen"])
        self.assertIsNone(chosen.context["rows"][0]["exemplar"])

    def test_a_branch_sees_a_peer_average_only_over_three_hidden_peers_with_a_figure(self) -> None:
        from core.testing.personas import new_member
        from orgs import services as org_services
        from orgs.choices import OrgKind
        from orgs.models import Organization, RoleGrant

        extra = []
        for n, code in enumerate(("T07", "T08")):
            org = org_services.create_organization(Organization(code=code, name=f"支部{code}", kind=OrgKind.BRANCH,
                                                                parent=self.p.committee), acting_user=self.p.admin)
            new_member(self.p, org, 70 + n)
            extra.append(org)
        url = reverse("campaigns:benchmark", args=[self.p.branch1.pk])
        self.client.force_login(self.p.committee_manager)
        full = {r["indicator"].key: r["average"] for r in self.client.get(url).context["rows"]}
        self.client.force_login(self.p.branch1_manager)
        own = self.client.get(url)
        rows = {r["indicator"].key: r["average"] for r in own.context["rows"]}
        self.assertEqual((own.context["peers"], own.context["peer_count"]), ([], 3))
        # Every hidden peer has members, so the study figure is averaged over three …
        self.assertIsNotNone(rows["study"])
        self.assertEqual(rows["study"], full["study"])
        # … but only branch2 has problems: its close rate would be the "average" of one, so none is shown.
        self.assertIsNotNone(full["close_rate"])
        self.assertIsNone(rows["close_rate"])
        self.assertContains(own, "同级平均按3个同级组织计算")
        for name in (self.p.branch2.name, "支部T07", "支部T08"):
            self.assertNotContains(own, name)
        # Seeing one peer, the two hidden ones are too few: the average less the visible one would show them.
        RoleGrant.objects.create(user=self.p.branch1_manager, role="inspector", org=self.p.branch2,
                                 org_path=self.p.branch2.path)
        self.client.force_login(type(self.p.branch1_manager).objects.get(pk=self.p.branch1_manager.pk))
        seeing_one = self.client.get(url)
        self.assertEqual([p["org"] for p in seeing_one.context["peers"]], [self.p.branch2])
        self.assertTrue(all(r["average"] is None for r in seeing_one.context["rows"]))
        self.assertContains(seeing_one, "可比的同级组织不足3个，不显示同级平均")


@override_settings(CHUXIN_DIGEST_EMAIL=True)
class DigestTest(PersonaTestCase):
    def test_one_digest_per_person_never_empty_escalated_and_mailed_once(self) -> None:
        p = self.p
        p.member_user.email = "member1@example.org"
        p.member_user.save()
        owned = new_problem(p, p.branch1, "责任人的问题", owner=p.member, found_days_ago=30,
                            deadline_days=10)  # 20 days late
        unowned = new_problem(p, p.branch2, "无责任人的问题", found_days_ago=5, deadline_days=8)  # due in 3 days
        new_problem(p, p.branch1, "还早的问题", found_days_ago=1, deadline_days=60)
        # The notice of being made responsible, sent at filing, is not this test's subject (test_services).
        Notification.objects.filter(kind="campaigns.owner").delete()
        on = timezone.localdate()
        stats = digests.send(on)
        self.assertEqual(stats["new"], 3)
        member = Notification.objects.get(user=p.member_user)
        self.assertEqual([i["id"] for i in member.items], [owned.pk])
        self.assertIn("逾期1项", member.title)
        self.assertEqual([i["id"] for i in Notification.objects.get(user=p.branch2_manager).items], [unowned.pk])
        committee = Notification.objects.get(user=p.committee_manager)
        self.assertIn("下级逾期1项", committee.title)
        self.assertFalse(Notification.objects.filter(user__in=[p.branch1_manager, p.inspector, p.outsider]).exists())
        self.assertEqual([m.to for m in mail.outbox], [["member1@example.org"]])
        again = digests.send(on)
        self.assertEqual(again["new"], 0)
        self.assertEqual(len(mail.outbox), 1)
        self.client.force_login(p.member_user)
        self.assertContains(self.client.get(reverse("notification_badge")), "notification-count")
        self.assertContains(self.client.get(reverse("notifications")), "责任人的问题")
        self.assertNotContains(self.client.get(reverse("notification_badge")), "notification-count")
        api = self.client.get("/api/notifications/")
        self.assertEqual([n["id"] for n in api.json()["results"]], [member.pk])

    def test_nothing_due_means_no_digest(self) -> None:
        new_problem(self.p, self.p.branch1, "还早", found_days_ago=1, deadline_days=60)
        self.assertEqual(digests.send(timezone.localdate())["people"], 0)
        self.assertFalse(Notification.objects.exists())


class FeedbackTest(PersonaTestCase):
    def setUp(self) -> None:
        self.project = new_project(self.p, self.p.branch1, "加装电梯")
        self.url = reverse("campaigns:feedback", args=[self.project.public_token])

    def stamp(self, seconds_ago: float = 10) -> str:
        import time

        from django.core import signing

        from campaigns.board_views import STAMP_SALT

        return signing.dumps({"p": self.project.public_token, "at": time.time() - seconds_ago}, salt=STAMP_SALT)

    def post(self, **data: object) -> Any:
        body = {"rating": 5, "comment": "很好", "name": "", "website": "", "stamp": self.stamp(), **data}
        return self.client.post(self.url, body, REMOTE_ADDR="10.0.0.1")

    def test_anyone_with_the_link_rates_without_logging_in(self) -> None:
        self.assertContains(self.client.get(self.url), "加装电梯")
        response = self.post(comment="电梯装好了，谢谢")
        self.assertContains(response, "feedback-thanks")
        self.assertEqual(Feedback.objects.get().org_path, self.p.branch1.path)
        self.assertEqual(self.client.get(reverse("campaigns:feedback", args=["no-such-token"])).status_code, 404)

    def test_a_flood_is_refused_with_a_clear_message_and_nothing_half_done(self) -> None:
        for n in range(5):
            self.assertEqual(self.post(comment=f"第{n}条").status_code, 200)
        response = self.post(comment="第6条")
        self.assertContains(response, "提交太频繁", status_code=429)
        self.assertEqual(Feedback.objects.count(), 5)
        other = self.client.post(self.url, {"rating": 4, "comment": "另一个人", "stamp": self.stamp()},
                                 REMOTE_ADDR="10.0.0.2")
        self.assertEqual(other.status_code, 200)
        self.assertEqual(Feedback.objects.count(), 6)

    def test_behind_a_proxy_senders_are_told_apart_by_the_forwarded_address(self) -> None:
        def post(forwarded: str, n: int) -> Any:
            return self.client.post(self.url, {"rating": 5, "comment": f"第{n}条", "stamp": self.stamp()},
                                    REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

        with override_settings(CHUXIN_PROXY_COUNT=1):
            for n in range(5):
                # What the client wrote itself (left of the proxy's entry) changes nothing.
                self.assertEqual(post(f"1.2.3.{n}, 203.0.113.7", n).status_code, 200)
            self.assertEqual(post("203.0.113.7", 5).status_code, 429)
            self.assertEqual(post("198.51.100.1", 6).status_code, 200)
        # Reached directly, the header is the client's own claim and is ignored: all these came from 127.0.0.1.
        self.assertEqual(post("192.0.2.1", 7).status_code, 200)
        for n in range(8, 12):
            post(f"192.0.2.{n}", n)
        self.assertEqual(post("192.0.2.99", 12).status_code, 429)

    def test_client_address_reads_only_the_trusted_proxies_entries(self) -> None:
        from django.test import RequestFactory

        from core.middleware import client_address

        request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.1.1.1, 10.0.0.4")
        self.assertEqual(client_address(request), "10.0.0.5")
        for count, expected in ((1, "10.0.0.4"), (2, "1.1.1.1"), (3, "6.6.6.6"), (5, "6.6.6.6")):
            with override_settings(CHUXIN_PROXY_COUNT=count):
                self.assertEqual(client_address(request), expected)
        with override_settings(CHUXIN_PROXY_COUNT=1):
            self.assertEqual(client_address(RequestFactory().get("/", REMOTE_ADDR="10.0.0.5")), "10.0.0.5")

    def test_robots_links_fast_forms_and_forged_stamps_are_refused(self) -> None:
        self.assertEqual(self.post(website="http://spam.example").status_code, 400)
        self.assertContains(self.post(comment="看这里 http://spam.example"), "网址链接", status_code=400)
        self.assertContains(self.post(stamp=self.stamp(seconds_ago=0)), "提交太快", status_code=400)
        self.assertContains(self.post(stamp="forged"), "提交未被接受", status_code=400)
        self.assertContains(self.post(rating=9), "满意度", status_code=400)
        self.post(comment="同样的话")
        self.assertContains(self.post(comment="同样的话"), "相同的评价", status_code=400)
        self.assertEqual(Feedback.objects.count(), 1)

    def test_feedback_is_scoped_like_its_project(self) -> None:
        self.post()
        self.client.force_login(self.p.branch2_manager)
        self.assertEqual(self.client.get("/api/campaigns/feedback/").json()["count"], 0)
        self.client.force_login(self.p.branch1_manager)
        self.assertEqual(self.client.get("/api/campaigns/feedback/").json()["count"], 1)
        self.assertIn(self.project.public_token,
                      self.client.get(self.project.get_absolute_url()).content.decode())
        services.update_project(self.project, acting_user=self.p.branch1_manager, changes={"feedback_open": False})
        self.client.logout()
        self.assertContains(self.client.post(self.url, {"rating": 5, "stamp": self.stamp()}, REMOTE_ADDR="10.0.0.9"),
                            "停止接收评价", status_code=403)


class ReviewFixesTest(PersonaTestCase):
    def test_a_served_feedback_form_is_taken_once(self) -> None:
        project = new_project(self.p, self.p.branch1, "修路")
        url = reverse("campaigns:feedback", args=[project.public_token])
        page = self.client.get(url)
        served = re.search(r'name="stamp" value="([^"]+)"', page.content.decode()).group(1)  # type: ignore[union-attr]
        from django.core import signing

        from campaigns.board_views import STAMP_SALT

        ticket = signing.loads(served, salt=STAMP_SALT)
        self.assertEqual(len(ticket["n"]), 24)
        # The same ticket, as if the visitor had spent ten seconds on the form.
        stamp = signing.dumps({**ticket, "at": ticket["at"] - 10}, salt=STAMP_SALT)
        first = self.client.post(url, {"rating": 5, "stamp": stamp}, REMOTE_ADDR="10.1.1.1")
        again = self.client.post(url, {"rating": 1, "stamp": stamp}, REMOTE_ADDR="10.1.1.1")
        self.assertContains(first, "feedback-thanks")
        self.assertContains(again, "已经提交过", status_code=400)
        self.assertEqual(Feedback.objects.count(), 1)

    def test_ipv6_senders_are_counted_by_their_64_network(self) -> None:
        self.assertEqual(services.client_digest("2001:db8:1:2::1"), services.client_digest("2001:db8:1:2::ffff"))
        self.assertNotEqual(services.client_digest("2001:db8:1:2::1"), services.client_digest("2001:db8:1:3::1"))

    def test_a_manager_who_is_also_a_member_opens_a_checklist_with_several_assignments(self) -> None:
        from campaigns.models import Checklist
        from orgs.models import Member

        Member.objects.filter(pk=self.p.branch1_members[1].pk).update(user=self.p.branch1_manager)
        checklist = services.copy_checklist(self.p.branch1, acting_user=self.p.branch1_manager)
        services.assign_checklist(checklist, acting_user=self.p.branch1_manager, members=self.p.branch1_members[:3])
        self.client.force_login(self.p.branch1_manager)
        self.assertEqual(self.client.get(checklist.get_absolute_url()).status_code, 200)
        self.assertEqual(Checklist.objects.restrict(self.p.branch1_manager).filter(pk=checklist.pk).count(), 1)

    def test_a_branch_given_a_checklist_from_above_finds_it_and_a_sibling_does_not(self) -> None:
        from campaigns.models import Assignment, Checklist

        checklist = services.copy_checklist(self.p.committee, acting_user=self.p.committee_manager)
        services.assign_checklist(checklist, acting_user=self.p.committee_manager, orgs=[self.p.branch1])
        task = Assignment.objects.get(checklist=checklist)
        self.client.force_login(self.p.branch1_manager)
        listed = self.client.get(reverse("campaigns:checklist_list")).context["page"].object_list
        self.assertEqual([c.pk for c in listed], [checklist.pk])
        page = self.client.get(checklist.get_absolute_url())
        self.assertEqual([a.pk for a in page.context["assignments"]], [task.pk])
        self.assertContains(self.client.get(task.get_absolute_url()), checklist.get_absolute_url())
        self.assertFalse(Checklist.objects.restrict(self.p.branch1_manager, "change").filter(pk=checklist.pk).exists())
        self.client.force_login(self.p.branch2_manager)
        self.assertEqual(self.client.get(checklist.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(f"/api/campaigns/checklists/{checklist.pk}/").status_code, 404)
        self.client.force_login(self.p.branch1_manager)
        self.assertEqual(self.client.get(f"/api/campaigns/checklists/{checklist.pk}/").status_code, 200)

    def test_a_stale_edit_does_not_undo_a_close_out(self) -> None:
        problem = new_problem(self.p, self.p.branch1, "旧表单", campaign=None)
        stale = Problem.objects.get(pk=problem.pk)
        services.add_progress(problem, acting_user=self.p.branch1_manager, text="改了")
        services.submit_for_close(problem, acting_user=self.p.branch1_manager)
        # Under review nothing changes: what the level above closes is what was asked to close.
        with self.assertRaisesMessage(ValidationError, "审核期间不能修改"):
            services.update_problem(stale, acting_user=self.p.branch1_manager, changes={"measures": "新措施"})
        fresh = Problem.objects.get(pk=problem.pk)
        self.assertEqual((fresh.status, fresh.measures), (ProblemStatus.SUBMITTED, problem.measures))
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get(problem.get_absolute_url())
        self.assertNotContains(page, reverse("campaigns:problem_edit", args=[problem.pk]))
        services.review_problem(problem, acting_user=self.p.committee_manager, decision="return", comment="再补充")
        services.update_problem(stale, acting_user=self.p.branch1_manager, changes={"measures": "新措施"})
        self.assertEqual(Problem.objects.get(pk=problem.pk).measures, "新措施")

    def test_members_do_not_see_their_branch_figures_on_a_campaign_page(self) -> None:
        campaign = new_campaign(self.p, self.p.committee)
        new_problem(self.p, self.p.branch1, "支部的问题", campaign=campaign)
        self.client.force_login(self.p.member_user)
        response = self.client.get(campaign.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context["figures_org"])
        figures = reverse("campaigns:campaign_figures", args=[campaign.pk])
        self.assertEqual(self.client.get(figures).status_code, 404)

    def test_a_campaign_page_loads_the_figures_of_the_organization_it_is_opened_for(self) -> None:
        campaign = new_campaign(self.p, self.p.committee)
        new_problem(self.p, self.p.branch1, "支部的问题", campaign=campaign)
        new_problem(self.p, self.p.branch2, "兄弟支部的问题", campaign=campaign)
        figures = reverse("campaigns:campaign_figures", args=[campaign.pk])
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get(campaign.get_absolute_url(), {"org": self.p.branch1.pk})
        self.assertContains(page, f'hx-get="{figures}?org={self.p.branch1.pk}"')
        self.assertEqual(self.client.get(figures, {"org": self.p.branch1.pk}).context["total"].found, 1)
        # Without ?org= the launching committee's figures: not the branch manager's to see.
        self.assertEqual(self.client.get(figures).status_code, 404)
        self.assertEqual(self.client.get(figures, {"org": self.p.branch2.pk}).status_code, 404)
        self.client.force_login(self.p.committee_manager)
        self.assertEqual(self.client.get(figures).context["total"].found, 2)


class CommandsAndProjectGapsTest(PersonaTestCase):
    def test_the_digests_and_ledgers_commands(self) -> None:
        import tempfile
        from pathlib import Path

        from django.core.management import call_command

        new_problem(self.p, self.p.branch1, "命令行的问题", found_days_ago=30, deadline_days=10)
        new_problem(self.p, self.p.branch2, "另一支部的问题", found_days_ago=30, deadline_days=10)
        out = io.StringIO()
        call_command("digests", "--dry-run", stdout=out)
        self.assertIn("3人有提醒（新发3份，其中1人收到下级逾期提醒），共4项", out.getvalue())
        self.assertFalse(Notification.objects.exists())
        call_command("digests", stdout=io.StringIO())
        self.assertEqual(Notification.objects.count(), 3)  # both branches' managers, and the committee's escalation
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "台账.xlsx"
            call_command("ledgers", str(path), "--org", self.p.branch1.code, stdout=io.StringIO())
            rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("问题清单").to_python()
        self.assertEqual([r[4] for r in rows[1:]], ["命令行的问题"])

    def test_an_overdue_project_is_a_gap_of_its_subtree_only(self) -> None:
        from core.gaps import gaps_for

        project = new_project(self.p, self.p.branch1, "逾期的实事")
        Project = type(project)
        Project.objects.filter(pk=project.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=3))
        found = [g for g in gaps_for(self.p.branch1, timezone.localdate()) if g.check == "campaigns.project_overdue"]
        self.assertEqual([g.extra["project"] for g in found], [project.pk])
        self.assertIn("已逾期3天", found[0].detail)
        self.assertFalse([g for g in gaps_for(self.p.branch2, timezone.localdate())
                          if g.check == "campaigns.project_overdue"])

    def test_the_dashboard_offers_campaigns_above_and_inside_the_subtree(self) -> None:
        above = new_campaign(self.p, self.p.committee, name="上级的主题教育")
        inside = new_campaign(self.p, self.p.branch1, name="支部自己的主题教育")
        sibling = new_campaign(self.p, self.p.branch2, name="兄弟支部的主题教育")
        self.client.force_login(self.p.committee_manager)
        offered = set(self.client.get(reverse("campaigns:dashboard", args=[self.p.committee.pk]))
                      .context["campaigns"])
        self.assertEqual(offered, {above, inside, sibling})
        self.client.force_login(self.p.branch1_manager)
        offered = set(self.client.get(reverse("campaigns:dashboard", args=[self.p.branch1.pk])).context["campaigns"])
        self.assertEqual(offered, {above, inside})
