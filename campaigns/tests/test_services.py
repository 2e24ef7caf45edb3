"""The rectification cycle and the bad input the issue names: review by someone not above the owner,
closing without evidence, a deadline before the problem was found, a forbidden or oversized evidence file,
two reviewers at once; templates, checklists, gaps becoming problems and disappearing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from campaigns import services
from campaigns.choices import Answer, ProblemSource, ProblemStatus, ReviewDecision
from campaigns.gaps import rectifications
from campaigns.models import Campaign, Checklist, Evidence, Milestone, Problem, ProgressUpdate, Review
from campaigns.tests.helpers import PNG, docx_bytes, new_campaign, new_problem, png
from core.gaps import gaps_for
from core.models import Holiday, ObjectChange, Rule
from core.services import OutOfScope
from core.testing.views import PersonaTestCase


@override_settings(MEDIA_ROOT="/tmp/chuxin-test-media")
class RectificationCycleTest(PersonaTestCase):
    def setUp(self) -> None:
        self.campaign = new_campaign(self.p, self.p.committee)
        self.problem = new_problem(self.p, self.p.branch1, "会议记录不规范", campaign=self.campaign,
                                   owner=self.p.member)

    def test_a_failure_after_the_files_were_written_leaves_no_file_behind(self) -> None:
        import tempfile
        from pathlib import Path
        from unittest import mock

        from django.db import DatabaseError

        media = Path(tempfile.mkdtemp(prefix="chuxin-evidence-"))
        with override_settings(MEDIA_ROOT=media):
            with mock.patch("campaigns.services.problems._set_status", side_effect=DatabaseError("disk full")), \
                    self.assertRaises(DatabaseError):
                services.add_progress(self.problem, acting_user=self.p.branch1_manager, text="照片",
                                      files=[png(), png()])
            self.assertEqual([p for p in media.rglob("*") if p.is_file()], [])
            self.assertFalse(Evidence.objects.exists())
            other = Milestone.objects.create(problem=new_problem(self.p, self.p.branch1, "另一个"), title="节点",
                                             due=timezone.localdate())
            with self.assertRaisesMessage(ValidationError, "时间节点不属于这个问题"):
                services.add_progress(self.problem, acting_user=self.p.branch1_manager, text="照片", files=[png()],
                                      milestone=other)
            self.assertEqual([p for p in media.rglob("*") if p.is_file()], [])
            other.refresh_from_db()
            self.assertIsNone(other.done_on)
            services.add_progress(self.problem, acting_user=self.p.branch1_manager, text="照片", files=[png()])
            self.assertEqual(len([p for p in media.rglob("*") if p.is_file()]), 1)

    def test_branch_works_committee_closes_and_a_later_check_reopens(self) -> None:
        services.add_progress(self.problem, acting_user=self.p.branch1_manager, text="补齐记录", files=[png()])
        self.problem.refresh_from_db()
        self.assertEqual(self.problem.status, ProblemStatus.IN_PROGRESS)
        services.submit_for_close(self.problem, acting_user=self.p.member_user)  # the responsible person
        services.review_problem(self.problem, acting_user=self.p.committee_manager, decision=ReviewDecision.CLOSE)
        self.problem.refresh_from_db()
        self.assertEqual((self.problem.status, self.problem.closed_on), (ProblemStatus.CLOSED, timezone.localdate()))
        services.reopen_problem(self.problem, acting_user=self.p.committee_manager, comment="回头看发现反弹",
                                deadline=timezone.localdate() + datetime.timedelta(days=10))
        self.problem.refresh_from_db()
        self.assertEqual((self.problem.status, self.problem.reopened, self.problem.closed_on),
                         (ProblemStatus.IN_PROGRESS, 1, None))
        # What was reported before the reopening does not close it again: new progress comes first.
        with self.assertRaisesMessage(ValidationError, "请先填报新的整改进展"):
            services.submit_for_close(self.problem, acting_user=self.p.member_user)
        services.add_progress(self.problem, acting_user=self.p.member_user, text="说一说")
        with self.assertRaisesMessage(ValidationError, "请在新的整改进展中上传佐证材料"):  # the campaign requires it
            services.submit_for_close(self.problem, acting_user=self.p.member_user)
        services.add_progress(self.problem, acting_user=self.p.member_user, text="再次整改", files=[png()])
        services.submit_for_close(self.problem, acting_user=self.p.member_user)
        self.assertEqual(Problem.objects.get(pk=self.problem.pk).status, ProblemStatus.SUBMITTED)
        self.assertEqual(list(Review.objects.filter(problem=self.problem).values_list("decision", flat=True)),
                         [ReviewDecision.REOPEN, ReviewDecision.CLOSE])
        logged = ObjectChange.objects.filter(object_id=self.problem.pk, content_type__model="problem")
        self.assertGreaterEqual(logged.count(), 5)

    def test_a_request_with_steps_not_reached_must_say_why_and_the_reviewer_sees_them(self) -> None:
        Campaign.objects.filter(pk=self.campaign.pk).update(requires_evidence=False)
        services.add_milestone(Milestone(problem=self.problem, title="补齐三次会议记录", due=self.problem.deadline),
                               acting_user=self.p.branch1_manager)
        with self.assertRaisesMessage(ValidationError, "尚有时间节点未完成：“补齐三次会议记录”（"):
            services.submit_for_close(self.problem, acting_user=self.p.branch1_manager)
        self.assertEqual(Problem.objects.get(pk=self.problem.pk).status, self.problem.status)
        # The page tells the one who asks, before they ask, and keeps the refusal's reason in view.
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get(self.problem.get_absolute_url())
        self.assertContains(page, 'id="unreached-steps"')
        self.assertContains(page, "如仍申请销号，请在申请说明中写明原因")
        refused = self.client.post(reverse("campaigns:problem_submit", args=[self.problem.pk]), {"note": ""},
                                   follow=True)
        self.assertContains(refused, "尚有时间节点未完成")
        # With the reason given the request goes up, and the reviewer sees the steps still open.
        services.submit_for_close(self.problem, acting_user=self.p.branch1_manager, note="会议已合并召开")
        self.client.force_login(self.p.committee_manager)
        review = self.client.get(self.problem.get_absolute_url())
        self.assertContains(review, "尚有时间节点未完成：“补齐三次会议记录”")
        self.assertContains(review, "会议已合并召开")

    def test_steps_reached_through_progress_let_the_request_go_without_a_note(self) -> None:
        step = services.add_milestone(Milestone(problem=self.problem, title="补齐记录", due=self.problem.deadline),
                                      acting_user=self.p.branch1_manager)
        services.add_progress(self.problem, acting_user=self.p.branch1_manager, text="已补齐", files=[png()],
                              milestone=step)
        self.client.force_login(self.p.branch1_manager)
        self.assertNotContains(self.client.get(self.problem.get_absolute_url()), 'id="unreached-steps"')
        services.submit_for_close(self.problem, acting_user=self.p.branch1_manager)
        self.assertEqual(Problem.objects.get(pk=self.problem.pk).status, ProblemStatus.SUBMITTED)

    def test_the_level_above_files_the_request_only_when_the_branch_has_nobody_who_could(self) -> None:
        from orgs.models import RoleGrant

        Campaign.objects.filter(pk=self.campaign.pk).update(requires_evidence=False)
        # The branch has a manager and the responsible person an account: the level above does not file.
        with self.assertRaisesMessage(PermissionDenied, "上级组织不代为申请"):
            services.submit_for_close(self.problem, acting_user=self.p.committee_manager)
        Problem.objects.filter(pk=self.problem.pk).update(owner=None)
        self.problem.refresh_from_db()
        with self.assertRaisesMessage(PermissionDenied, "上级组织不代为申请"):
            services.submit_for_close(self.problem, acting_user=self.p.committee_manager)
        # Without a manager of its own and without a responsible person who can sign in, nobody in the
        # branch can ask; the problem would stay open for ever, so the level above may file it, saying so.
        RoleGrant.objects.filter(org=self.p.branch1, role="manager").delete()
        self.client.force_login(self.p.committee_manager)
        self.assertTrue(self.client.get(self.problem.get_absolute_url()).context["may_submit"])
        services.add_milestone(Milestone(problem=self.problem, title="补齐记录", due=self.problem.deadline),
                               acting_user=self.p.committee_manager)
        services.submit_for_close(self.problem, acting_user=self.p.committee_manager, note="节点已无必要")
        # Who asked does not decide: the request waits for someone else above, who is told of it.
        with self.assertRaisesMessage(PermissionDenied, "须由其他上级管理人员审核"):
            services.review_problem(self.problem, acting_user=self.p.committee_manager,
                                    decision=ReviewDecision.CLOSE)
        page = self.client.get(self.problem.get_absolute_url())
        self.assertFalse(page.context["may_review"])
        self.assertContains(page, 'id="filed-by-me"')
        self.assertNotContains(self.client.get("/", follow=True), "待审核销号的整改问题")
        self.assertEqual(services.reviewers(self.problem, excluding=self.p.committee_manager.pk),
                         [self.p.admin.pk])
        services.review_problem(self.problem, acting_user=self.p.admin, decision=ReviewDecision.CLOSE)
        self.assertEqual(Problem.objects.get(pk=self.problem.pk).status, ProblemStatus.CLOSED)
        trail = self.client.get(self.problem.get_absolute_url()).context["reviews"]
        # The note says it was filed on the branch's behalf, whatever else it says.
        self.assertIn(("申请销号", "责任单位没有管理人员或有账号的责任人，由上级组织代为申请销号；节点已无必要"),
                      [(t["label"], t["text"]) for t in trail])

    def test_a_deadline_of_millions_of_working_days_is_refused_at_once(self) -> None:
        import time

        self.client.force_login(self.p.branch1_manager)
        data = {"title": "走访不到位", "org": self.p.branch1.pk, "source": "self", "severity": "general",
                "found_on": timezone.localdate().isoformat(), "kind": "deadline", "standard": "每季度走访",
                "measures": "制定走访计划", "deadline_workdays": "3000000"}
        started = time.monotonic()
        response = self.client.post(reverse("campaigns:problem_add"), data)
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(response.status_code, 200)
        self.assertIn("deadline_workdays", response.context["form"].errors)
        self.assertFalse(Problem.objects.filter(title="走访不到位").exists())
        with self.assertRaisesMessage(ValidationError, "办结时限最多500个工作日"):
            services.update_problem(self.problem, acting_user=self.p.committee_manager,
                                    changes={"deadline_workdays": 30000})
        api = self.client.post("/api/campaigns/problems/", {**data, "deadline_workdays": 30000},
                               content_type="application/json")
        self.assertEqual(api.status_code, 400)
        self.assertIn("deadline_workdays", api.json())

    def test_a_deadline_counted_through_a_year_without_holidays_is_flagged_until_they_are_entered(self) -> None:
        from core import workdays

        services.update_problem(self.problem, acting_user=self.p.committee_manager,
                                changes={"deadline_workdays": 500})
        self.problem.refresh_from_db()
        expected = workdays.undescribed_years(self.problem.found_on, self.problem.deadline)
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get(self.problem.get_absolute_url())
        self.assertEqual(page.context["calendar_unknown"], "、".join(map(str, expected)))
        self.assertEqual('id="calendar-unknown"' in page.content.decode(), bool(expected))
        self.client.force_login(self.p.admin)
        home = self.client.get("/", follow=True).content.decode()
        for year in workdays.missing_years(timezone.localdate()):
            self.assertIn(f"录入{year}年法定节假日和调休安排", home)
        for year in expected:
            Holiday.objects.create(date=datetime.date(year, 1, 1), is_workday=False, name="元旦")
        workdays.clear_cache()
        self.addCleanup(workdays.clear_cache)
        self.client.force_login(self.p.branch1_manager)
        self.assertNotContains(self.client.get(self.problem.get_absolute_url()), 'id="calendar-unknown"')
        self.assertNotContains(self.client.get("/", follow=True), "法定节假日和调休安排")  # not a manager's to-do

    def test_the_responsible_person_is_told_when_a_problem_becomes_theirs(self) -> None:
        from core.models import Notification

        # setUp filed the problem with the member as its responsible person.
        told = Notification.objects.filter(user=self.p.member_user, kind="campaigns.owner")
        self.assertEqual(told.count(), 1)
        self.assertEqual(told.get().items[0]["url"], self.problem.get_absolute_url())
        self.assertIn("整改责任人", told.get().title)
        other = new_problem(self.p, self.p.branch1, "无责任人")
        self.assertEqual(told.count(), 1)
        services.update_problem(other, acting_user=self.p.branch1_manager, changes={"owner": self.p.member})
        self.assertEqual(told.count(), 2)
        services.update_problem(other, acting_user=self.p.branch1_manager, changes={"measures": "再细化"})
        self.assertEqual(told.count(), 2)  # not again for another change

    def test_dates_and_hours_keep_within_the_campaign(self) -> None:
        from campaigns.choices import RequirementKind
        from campaigns.models import Requirement

        early = self.campaign.start - datetime.timedelta(days=1)
        with self.assertRaisesMessage(ValidationError, "早于这次主题教育的开始日期"):
            new_problem(self.p, self.p.branch1, "很久以前的问题", campaign=self.campaign,
                        found_days_ago=(timezone.localdate() - early).days)
        new_problem(self.p, self.p.branch1, "以前的问题", found_days_ago=(timezone.localdate() - early).days)
        for hours, due, field in ((Decimal("-5"), None, "hours"), (Decimal("2"), early, "due"),
                                  (Decimal("2"), self.campaign.end + datetime.timedelta(days=1), "due")):
            with self.assertRaises(ValidationError) as refused:
                services.add_requirement(Requirement(campaign=self.campaign, kind=RequirementKind.STUDY,
                                                     title="专题学习", hours=hours, due=due),
                                         acting_user=self.p.committee_manager)
            self.assertIn(field, refused.exception.message_dict)
        self.assertFalse(Requirement.objects.filter(title="专题学习").exists())
        # Moving the campaign's dates keeps what is already under it inside.
        services.add_requirement(Requirement(campaign=self.campaign, kind=RequirementKind.STUDY, title="专题学习",
                                             hours=Decimal("2"), due=self.campaign.end),
                                 acting_user=self.p.committee_manager)
        with self.assertRaisesMessage(ValidationError, "开始日期不能晚于它"):
            services.update_campaign(self.campaign, acting_user=self.p.committee_manager,
                                     changes={"start": timezone.localdate()})
        with self.assertRaisesMessage(ValidationError, "将不在主题教育期间"):
            services.update_campaign(self.campaign, acting_user=self.p.committee_manager,
                                     changes={"end": self.campaign.end - datetime.timedelta(days=1)})
        self.assertEqual(Campaign.objects.get(pk=self.campaign.pk).end, self.campaign.end)

    def test_a_step_added_by_mistake_can_be_removed_while_open_by_those_who_may_change(self) -> None:
        step = services.add_milestone(Milestone(problem=self.problem, title="错加的节点", due=self.problem.deadline),
                                      acting_user=self.p.branch1_manager)
        url = reverse("campaigns:milestone_delete", args=[step.pk])
        self.client.force_login(self.p.branch2_manager)
        self.assertEqual(self.client.post(url).status_code, 404)
        self.client.force_login(self.p.member_user)  # the responsible person reports progress, not the plan
        self.assertEqual(self.client.post(url).status_code, 403)
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get(self.problem.get_absolute_url())
        self.assertContains(page, url)
        self.assertContains(self.client.post(url, follow=True), "已删除时间节点“错加的节点”")
        self.assertFalse(Milestone.objects.filter(pk=step.pk).exists())
        self.assertTrue(ObjectChange.objects.filter(content_type__model="milestone", object_id=step.pk,
                                                    action="delete").exists())
        reached = services.add_milestone(Milestone(problem=self.problem, title="已完成", due=self.problem.deadline),
                                         acting_user=self.p.branch1_manager)
        services.add_progress(self.problem, acting_user=self.p.branch1_manager, text="完成", files=[png()],
                              milestone=reached)
        with self.assertRaisesMessage(ValidationError, "时间节点已经完成，不能删除"):
            services.delete_milestone(Milestone.objects.get(pk=reached.pk), acting_user=self.p.branch1_manager)
        # A step planned on an earlier day stays (deleting it would slip past the close-out's question about
        # steps not reached); it is explained in the request instead.
        planned = services.add_milestone(Milestone(problem=self.problem, title="早定的节点", due=self.problem.deadline),
                                         acting_user=self.p.branch1_manager)
        Milestone.objects.filter(pk=planned.pk).update(created=timezone.now() - datetime.timedelta(days=2))
        self.assertNotContains(self.client.get(self.problem.get_absolute_url()),
                               reverse("campaigns:milestone_delete", args=[planned.pk]))
        with self.assertRaisesMessage(ValidationError, "只能删除当天添加的时间节点"):
            services.delete_milestone(Milestone.objects.get(pk=planned.pk), acting_user=self.p.branch1_manager)
        # Under review the plan does not change either way.
        services.submit_for_close(self.problem, acting_user=self.p.branch1_manager, note="早定的节点已无必要")
        with self.assertRaisesMessage(ValidationError, "审核期间不能修改"):
            services.add_milestone(Milestone(problem=self.problem, title="补加", due=self.problem.deadline),
                                   acting_user=self.p.branch1_manager)

    def test_a_gap_link_with_a_bad_organization_is_not_found(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        for query in ("?gap=x&org=abc", "?gap=x&org=99999999999999999999", f"?gap=x&org={self.p.branch1.pk}&member=z"):
            response = self.client.get(reverse("campaigns:problem_add") + query)
            self.assertIn(response.status_code, (200, 404), query)
        self.assertEqual(self.client.get(reverse("campaigns:problem_add") + "?gap=x&org=abc").status_code, 404)
        for value in ("abc", "%C2%B2"):  # letters, and a superscript two (a "digit" that int() refuses)
            options = self.client.get(reverse("campaigns:problem_owner_options") + f"?org={value}")
            self.assertEqual(options.status_code, 200)
        self.assertEqual(self.client.get(reverse("campaigns:problem_add") + "?gap=x&org=%C2%B2").status_code, 404)

    def test_a_review_by_the_branch_itself_or_a_sibling_is_refused(self) -> None:
        services.add_progress(self.problem, acting_user=self.p.branch1_manager, text="整改", files=[png()])
        services.submit_for_close(self.problem, acting_user=self.p.branch1_manager)
        for user in (self.p.branch1_manager, self.p.branch2_manager, self.p.inspector, self.p.member_user):
            with self.assertRaises((OutOfScope, Http404)):
                services.review_problem(self.problem, acting_user=user, decision=ReviewDecision.CLOSE)
        self.problem.refresh_from_db()
        self.assertEqual(self.problem.status, ProblemStatus.SUBMITTED)
        self.assertFalse(Review.objects.exists())

    def test_closing_without_evidence_is_refused_where_the_campaign_requires_it(self) -> None:
        services.add_progress(self.problem, acting_user=self.p.branch1_manager, text="口头说已整改")
        with self.assertRaisesMessage(ValidationError, "销号须有佐证材料"):
            services.submit_for_close(self.problem, acting_user=self.p.branch1_manager)
        self.problem.refresh_from_db()
        self.assertEqual(self.problem.status, ProblemStatus.IN_PROGRESS)
        Campaign.objects.filter(pk=self.campaign.pk).update(requires_evidence=False)
        services.submit_for_close(self.problem, acting_user=self.p.branch1_manager)
        Campaign.objects.filter(pk=self.campaign.pk).update(requires_evidence=True)  # required again at review
        with self.assertRaisesMessage(ValidationError, "没有佐证材料，不能销号"):
            services.review_problem(self.problem, acting_user=self.p.committee_manager, decision="close")
        self.assertEqual(Problem.objects.get(pk=self.problem.pk).status, ProblemStatus.SUBMITTED)

    def test_the_second_of_two_reviewers_is_told_who_decided(self) -> None:
        services.add_progress(self.problem, acting_user=self.p.branch1_manager, text="整改", files=[png()])
        services.submit_for_close(self.problem, acting_user=self.p.branch1_manager)
        stale = Problem.objects.get(pk=self.problem.pk)
        services.review_problem(self.problem, acting_user=self.p.committee_manager, decision="close")
        with self.assertRaisesMessage(ValidationError, "刚由"):
            services.review_problem(stale, acting_user=self.p.admin, decision="return", comment="不同意")
        self.assertEqual(Review.objects.filter(problem=self.problem).count(), 1)

    def test_returning_needs_reasons(self) -> None:
        services.add_progress(self.problem, acting_user=self.p.branch1_manager, text="整改", files=[png()])
        services.submit_for_close(self.problem, acting_user=self.p.branch1_manager)
        with self.assertRaisesMessage(ValidationError, "写明理由"):
            services.review_problem(self.problem, acting_user=self.p.committee_manager, decision="return")
        services.review_problem(self.problem, acting_user=self.p.committee_manager, decision="return",
                                comment="佐证不足")
        self.assertEqual(Problem.objects.get(pk=self.problem.pk).status, ProblemStatus.RETURNED)

    def test_bad_evidence_files_are_refused_and_nothing_is_written(self) -> None:
        cases = {
            "run.exe": (b"MZ\x90\x00", "类型不允许"),
            "photo.png": (b"GIF89a" + b"\x00" * 20, "内容与扩展名不符"),
            "report.docx": (b"PK\x03\x04not really a zip", "内容与扩展名不符"),
            "empty.pdf": (b"", "空文件"),
        }
        for name, (content, message) in cases.items():
            with self.assertRaisesMessage(ValidationError, message):
                services.add_progress(self.problem, acting_user=self.p.branch1_manager, text="整改",
                                      files=[png("ok.png"), SimpleUploadedFile(name, content)])
        Rule.objects.create(key="campaigns.evidence_max_mb", name="上限", value=1, unit="MB", severity="hard",
                            effective_from=datetime.date(2020, 1, 1), source="测试")
        from core.rules import clear_cache

        clear_cache()
        big = SimpleUploadedFile("big.png", PNG + b"\x00" * (1024 * 1024 + 1))
        with self.assertRaisesMessage(ValidationError, "超过上限1 MB"):
            services.add_progress(self.problem, acting_user=self.p.branch1_manager, text="整改", files=[big])
        self.assertFalse(ProgressUpdate.objects.exists())
        self.assertFalse(Evidence.objects.exists())
        good = SimpleUploadedFile("整改报告.docx", docx_bytes())
        services.add_progress(self.problem, acting_user=self.p.branch1_manager, text="整改", files=[good])
        self.assertEqual(Evidence.objects.get().name, "整改报告.docx")

    def test_a_deadline_before_the_problem_was_found_is_refused(self) -> None:
        today = timezone.localdate()
        problem = Problem(org=self.p.branch1, title="x", description="y", source="self", found_on=today,
                          standard="s", measures="m", deadline=today - datetime.timedelta(days=1))
        with self.assertRaisesMessage(ValidationError, "早于发现日期"):
            services.create_problem(problem, acting_user=self.p.branch1_manager)
        with self.assertRaisesMessage(ValidationError, "早于发现日期"):
            services.update_problem(self.problem, acting_user=self.p.branch1_manager,
                                    changes={"deadline": self.problem.found_on - datetime.timedelta(days=1)})
        future = Problem(org=self.p.branch1, title="x", description="y", source="self",
                         found_on=today + datetime.timedelta(days=3), standard="s", measures="m",
                         deadline=today + datetime.timedelta(days=9))
        with self.assertRaisesMessage(ValidationError, "不能晚于今天"):
            services.create_problem(future, acting_user=self.p.branch1_manager)
        self.assertEqual(Problem.objects.count(), 1)

    def test_a_deadline_in_working_days_skips_holidays(self) -> None:
        found = datetime.date(2025, 9, 30)  # the National Day week follows; 2025-10-11 is a make-up working day
        problem = Problem(org=self.p.branch1, title="x", description="y", source="self", found_on=found,
                          standard="s", measures="m", deadline_workdays=3)
        services.create_problem(problem, acting_user=self.p.branch1_manager)
        self.assertEqual(problem.deadline, datetime.date(2025, 10, 11))
        Holiday.objects.create(date=datetime.date(2025, 10, 11), is_workday=False, name="测试：取消调休")
        from core import workdays

        workdays.clear_cache()
        services.update_problem(problem, acting_user=self.p.branch1_manager, changes={"deadline_workdays": 3})
        self.assertEqual(Problem.objects.get(pk=problem.pk).deadline, datetime.date(2025, 10, 13))

    def test_only_the_level_above_moves_a_deadline(self) -> None:
        later = self.problem.deadline + datetime.timedelta(days=180)
        with self.assertRaisesMessage(ValidationError, "办结时限由上级党组织确定"):
            services.update_problem(self.problem, acting_user=self.p.branch1_manager, changes={"deadline": later})
        with self.assertRaisesMessage(ValidationError, "办结时限由上级党组织确定"):
            services.update_problem(self.problem, acting_user=self.p.branch1_manager,
                                    changes={"deadline_workdays": 100})
        services.update_problem(self.problem, acting_user=self.p.branch1_manager, changes={"measures": "补充措施"})
        # A form or API call that sends the deadline unchanged is no move.
        services.update_problem(self.problem, acting_user=self.p.branch1_manager,
                                changes={"deadline": self.problem.deadline, "measures": "再补充"})
        services.update_problem(self.problem, acting_user=self.p.committee_manager, changes={"deadline": later})
        self.assertEqual(Problem.objects.get(pk=self.problem.pk).deadline, later)
        self.client.force_login(self.p.branch1_manager)
        form = self.client.get(reverse("campaigns:problem_edit", args=[self.problem.pk])).context["form"]
        self.assertTrue(form.fields["deadline"].disabled)
        self.client.force_login(self.p.committee_manager)
        form = self.client.get(reverse("campaigns:problem_edit", args=[self.problem.pk])).context["form"]
        self.assertFalse(form.fields["deadline"].disabled)

    def test_a_sibling_cannot_file_or_work_on_a_problem_of_branch1(self) -> None:
        problem = Problem(org=self.p.branch1, title="x", description="y", source="self",
                          found_on=timezone.localdate(), standard="s", measures="m", deadline=timezone.localdate())
        with self.assertRaises(OutOfScope):
            services.create_problem(problem, acting_user=self.p.branch2_manager)
        with self.assertRaises(Http404):
            services.add_progress(self.problem, acting_user=self.p.branch2_manager, text="x")
        self.assertEqual(Problem.objects.count(), 1)
        self.assertFalse(ProgressUpdate.objects.exists())

    def test_a_category_of_another_campaign_and_an_owner_elsewhere_are_refused(self) -> None:
        other = new_campaign(self.p, self.p.committee, name="另一次")
        with self.assertRaisesMessage(ValidationError, "不属于所选的主题教育"):
            services.update_problem(self.problem, acting_user=self.p.branch1_manager,
                                    changes={"category": other.categories.first()})
        with self.assertRaisesMessage(ValidationError, "责任人不在责任单位"):
            services.update_problem(self.problem, acting_user=self.p.branch1_manager,
                                    changes={"owner": self.p.branch2_members[0]})


class TemplatesAndChecklistsTest(PersonaTestCase):
    def test_the_2019_template_copies_goals_special_items_batches_and_the_18_items(self) -> None:
        start = datetime.date(2026, 3, 1)
        campaign = services.launch_from_template("2019", org=self.p.committee, acting_user=self.p.committee_manager,
                                                 start=start)
        self.assertEqual(campaign.requirement, "守初心、担使命，找差距、抓落实")
        self.assertEqual(campaign.categories.filter(kind="goal").count(), 5)
        self.assertEqual(campaign.categories.filter(kind="special").count(), 8)
        self.assertEqual(campaign.batches[0], {"name": "第一批", "start": "2026-03-01", "end": "2026-05-31"})
        checklist = Checklist.objects.get(campaign=campaign)
        self.assertEqual(checklist.items.count(), 18)
        self.assertEqual(campaign.requirements.count(), 3)
        # Edited like any other: a special item renamed, one added.
        names = list(campaign.categories.filter(kind="special").values_list("name", flat=True))
        services.update_campaign(campaign, acting_user=self.p.committee_manager, changes={},
                                 specials=[*names[:7], "本单位：窗口服务态度", "新增专项"])
        self.assertEqual(campaign.categories.filter(kind="special").count(), 9)

    def test_a_category_in_use_cannot_be_removed(self) -> None:
        campaign = services.launch_from_template("2023", org=self.p.committee, acting_user=self.p.committee_manager)
        goal = campaign.categories.filter(kind="goal").last()
        new_problem(self.p, self.p.branch1, campaign=campaign, category=goal, found_days_ago=0)
        with self.assertRaisesMessage(ValidationError, "下已有问题"):
            services.update_campaign(campaign, acting_user=self.p.committee_manager, changes={}, goals=["只留一个"])
        self.assertEqual(campaign.categories.filter(kind="goal").count(), 5)

    def test_bad_batches_name_the_line(self) -> None:
        with self.assertRaisesMessage(ValidationError, "第2行"):
            services.parse_batches("第一批，2026-01-01，2026-02-01\n第二批 2026-03-01")
        with self.assertRaisesMessage(ValidationError, "第1批：结束日期早于开始日期"):
            services.parse_batches("第一批，2026-03-01，2026-02-01")
        with self.assertRaisesMessage(ValidationError, "第1批与第2批的日期重叠"):
            services.parse_batches("第一批，2026-06-25，2026-09-24\n第二批，2026-09-01，2026-12-31")

    def test_batches_that_are_not_a_list_of_batches_are_refused_by_name(self) -> None:
        for value, message in ((1, "批次应为列表"), ({"a": 1}, "批次应为列表"), ([1], "第1批：应写成"),
                               ([{"name": "一", "start": "2026-01-01", "end": "2026-02-01"}, None], "第2批：应写成"),
                               ([["name", "x"]], "第1批：应写成")):
            with self.subTest(value=value), self.assertRaisesMessage(ValidationError, message):
                services.parse_batches(value)

    def test_every_batch_lies_within_the_campaign(self) -> None:
        campaign = services.launch_from_template("2023", org=self.p.committee, acting_user=self.p.committee_manager)
        late = [{"name": "第三批", "start": f"{campaign.end:%Y-%m-%d}",
                 "end": f"{campaign.end + datetime.timedelta(days=1):%Y-%m-%d}"}]
        with self.assertRaisesMessage(ValidationError, "第1批（"):
            services.update_campaign(campaign, acting_user=self.p.committee_manager, changes={"batches": late})
        # Shortening the campaign is checked against the batches it keeps.
        with self.assertRaisesMessage(ValidationError, "不在主题教育的起止日期"):
            services.update_campaign(campaign, acting_user=self.p.committee_manager,
                                     changes={"end": campaign.end - datetime.timedelta(days=1)})

    def test_a_person_answers_and_no_or_partly_needs_a_note(self) -> None:
        checklist = services.copy_checklist(self.p.branch1, acting_user=self.p.branch1_manager)
        (assignment,) = services.assign_checklist(checklist, acting_user=self.p.branch1_manager,
                                                  members=[self.p.member])
        items = list(checklist.items.all())
        answers: dict[int, tuple[str, str]] = {i.pk: (Answer.YES, "") for i in items}
        answers[items[3].pk] = (Answer.NO, "")
        with self.assertRaises(PermissionDenied):  # the person answers, not their manager
            services.answer_checklist(assignment, acting_user=self.p.branch1_manager, answers=answers)
        with self.assertRaisesMessage(ValidationError, "第4项回答“否”，请写明具体情况"):
            services.answer_checklist(assignment, acting_user=self.p.member_user, answers=answers, submit=True)
        answers[items[3].pk] = (Answer.NO, "两个月未交党费")
        services.answer_checklist(assignment, acting_user=self.p.member_user, answers=answers, submit=True)
        with self.assertRaisesMessage(ValidationError, "已经提交"):
            services.answer_checklist(assignment, acting_user=self.p.member_user, answers=answers)
        with self.assertRaisesMessage(ValidationError, "不在制定单位的范围内"):
            services.assign_checklist(checklist, acting_user=self.p.branch1_manager,
                                      members=[self.p.branch2_members[0]])


class CascadeLogTest(PersonaTestCase):
    def test_deleting_a_campaign_logs_each_category_and_requirement_it_takes_along(self) -> None:
        from django.contrib.contenttypes.models import ContentType

        from campaigns.models import Category, Requirement

        campaign = services.launch_from_template("2024", org=self.p.branch1, acting_user=self.p.branch1_manager,
                                                 start=timezone.localdate())
        services.add_requirement(Requirement(campaign=campaign, kind="study", title="专题党课"),
                                 acting_user=self.p.branch1_manager)
        categories = set(Category.objects.filter(campaign=campaign).values_list("pk", flat=True))
        self.assertTrue(categories)
        services.delete_campaign(campaign, acting_user=self.p.branch1_manager, message="建错了")
        deleted = ObjectChange.objects.filter(action="delete", related_object_id=campaign.pk,
                                              related_content_type=ContentType.objects.get_for_model(Campaign))
        self.assertEqual(set(deleted.filter(content_type=ContentType.objects.get_for_model(Category))
                             .values_list("object_id", flat=True)), categories)
        self.assertTrue(deleted.filter(object_repr="专题党课", org_path=self.p.branch1.path).exists())
        self.assertFalse(deleted.restrict(self.p.branch2_manager).exists())


class GapToProblemTest(PersonaTestCase):
    def test_a_gap_becomes_a_problem_and_the_problem_shows_when_it_disappears(self) -> None:
        on = timezone.localdate()
        gap = next(g for g in gaps_for(self.p.branch2, on) if g.rule == "orgs.branch.min_full_members")
        problem = Problem(org=self.p.branch2, gap_rule=gap.check, gap_org=self.p.branch2, gap_title=gap.title,
                          gap_ref=gap.reference, title=gap.title, description=gap.detail, source=ProblemSource.SELF,
                          found_on=on,
                          standard="正式党员达到3人", measures="发展、转入", deadline=on + datetime.timedelta(days=60))
        services.create_problem(problem, acting_user=self.p.branch2_manager)
        self.assertEqual(problem.source, ProblemSource.GAP)
        self.assertTrue(services.gap_exists(problem))
        from orgs.models import Member

        applicant = Member.objects.get(org=self.p.branch2, status="applicant")
        Member.objects.filter(pk=applicant.pk).update(status="full", conversion_date=on)
        self.assertFalse(services.gap_exists(problem))

    def test_a_gap_is_filed_once_while_its_problem_is_open(self) -> None:
        on = timezone.localdate()
        gap = next(g for g in gaps_for(self.p.branch2, on) if g.rule == "orgs.branch.min_full_members")

        def filed() -> Problem:
            return Problem(org=self.p.branch2, gap_rule=gap.check, gap_org=self.p.branch2, gap_title=gap.title,
                           gap_ref=gap.reference, title=gap.title, description=gap.detail,
                           source=ProblemSource.GAP, found_on=on,
                           standard="正式党员达到3人", measures="发展、转入", deadline=on + datetime.timedelta(days=60))

        first = services.create_problem(filed(), acting_user=self.p.branch2_manager)
        with self.assertRaisesMessage(ValidationError, f"这项差距已列入整改（{first.ledger_no}）"):
            services.create_problem(filed(), acting_user=self.p.committee_manager)
        other = filed()
        other.gap_ref = "orgs.branch.max_members"
        self.assertIsNone(services.filed_problem(other))
        Problem.objects.filter(pk=first.pk).update(status=ProblemStatus.CLOSED)
        services.create_problem(filed(), acting_user=self.p.branch2_manager)
        self.assertEqual(Problem.objects.filter(gap_rule=gap.check).count(), 2)

    def test_closing_while_the_gap_remains_needs_a_reason_and_the_gap_list_keeps_the_link(self) -> None:
        gap = self.branch2_gap()
        problem = services.create_problem(self.gap_problem(gap, self.p.branch2), acting_user=self.p.branch2_manager)
        services.submit_for_close(problem, acting_user=self.p.branch2_manager)
        with self.assertRaisesMessage(ValidationError, "这项差距目前仍然存在"):
            services.review_problem(problem, acting_user=self.p.committee_manager, decision=ReviewDecision.CLOSE)
        services.review_problem(problem, acting_user=self.p.committee_manager, decision=ReviewDecision.CLOSE,
                                comment="已列入年度发展计划，长期推进")
        problem.refresh_from_db()
        self.assertEqual(problem.status, ProblemStatus.CLOSED)
        [followup] = rectifications(self.p.branch2_manager, [gap]).values()
        self.assertEqual((followup.label, followup.url, followup.closed),
                         (f"{problem.ledger_no}已销号，差距仍在", problem.get_absolute_url(), True))
        self.assertEqual(rectifications(self.p.branch1_manager, [gap]), {})  # a sibling: nothing of branch2's
        self.client.force_login(self.p.branch2_manager)
        page = self.client.get(reverse("orgs:organization_gaps", args=[self.p.branch2.pk])).content.decode()
        [row] = [r for r in page.split('class="d-flex gap-2 py-2 border-bottom"') if f"{problem.ledger_no}已销号" in r]
        self.assertIn("cx-rectify", row)  # beside the closed one, a new rectification can be started
        # A new rectification of the same gap is allowed once the first is closed.
        services.create_problem(self.gap_problem(gap, self.p.branch2), acting_user=self.p.branch2_manager)
        [followup] = rectifications(self.p.branch2_manager, [gap]).values()
        self.assertFalse(followup.closed)

    def branch2_gap(self) -> Any:
        return next(g for g in gaps_for(self.p.branch2, timezone.localdate())
                    if g.rule == "orgs.branch.min_full_members")

    def gap_problem(self, gap: Any, org: Any) -> Problem:
        on = timezone.localdate()
        return Problem(org=org, gap_rule=gap.check, gap_org_id=gap.org_id, gap_member_id=gap.member_id,
                       gap_title=gap.title, gap_ref=gap.reference, title=gap.title, description=gap.detail,
                       source=ProblemSource.GAP, found_on=on, standard="s", measures="m",
                       deadline=on + datetime.timedelta(days=30))

    def test_two_gaps_of_one_rule_about_one_member_are_filed_apart(self) -> None:
        from essays.tests.helpers import new_request

        past = timezone.localdate() - datetime.timedelta(days=3)
        for title in ("甲", "乙"):
            new_request(self.p, self.p.branch1, title=title, deadline=past)
        member = self.p.branch1_members[0]
        gaps = [g for g in gaps_for(self.p.branch1, timezone.localdate(), rules=["essays.overdue"])
                if g.member_id == member.pk]
        self.assertEqual(len({g.key for g in gaps}), 2)
        first = services.create_problem(self.gap_problem(gaps[0], self.p.branch1), acting_user=self.p.branch1_manager)
        followups = rectifications(self.p.branch1_manager, gaps)
        self.assertEqual(set(followups), {gaps[0].key})
        self.assertIn(first.ledger_no, followups[gaps[0].key].label)
        services.create_problem(self.gap_problem(gaps[1], self.p.branch1), acting_user=self.p.branch1_manager)

    def test_a_filed_gap_is_recognized_in_any_language(self) -> None:
        gap = self.branch2_gap()
        services.create_problem(self.gap_problem(gap, self.p.branch2), acting_user=self.p.branch2_manager)
        with translation.override("en"):
            english = next(g for g in gaps_for(self.p.branch2, timezone.localdate())
                           if g.rule == "orgs.branch.min_full_members")
            self.assertNotEqual(english.title, gap.title)
            self.assertIn(english.key, rectifications(self.p.branch2_manager, [english]))
            with self.assertRaises(ValidationError):
                services.create_problem(self.gap_problem(english, self.p.branch2), acting_user=self.p.branch2_manager)
        self.assertEqual(Problem.objects.count(), 1)

    def test_a_gap_filed_above_is_named_only_to_those_who_may_open_its_problem(self) -> None:
        gap = self.branch2_gap()
        above = services.create_problem(self.gap_problem(gap, self.p.committee), acting_user=self.p.committee_manager)
        shown = rectifications(self.p.branch2_manager, [gap])[gap.key]
        self.assertEqual((shown.label, shown.url), ("已由上级列入整改", ""))
        with self.assertRaises(ValidationError) as refused:
            services.create_problem(self.gap_problem(gap, self.p.branch2), acting_user=self.p.branch2_manager)
        self.assertNotIn(above.ledger_no, str(refused.exception))
        self.assertIn("已由上级列入整改", str(refused.exception))
        self.assertIn(above.ledger_no, rectifications(self.p.committee_manager, [gap])[gap.key].label)

    def test_a_closed_problem_is_not_reopened_while_its_gap_has_another_open_one(self) -> None:
        gap = self.branch2_gap()
        first = services.create_problem(self.gap_problem(gap, self.p.branch2), acting_user=self.p.branch2_manager)
        Problem.objects.filter(pk=first.pk).update(status=ProblemStatus.CLOSED, closed_on=timezone.localdate())
        second = services.create_problem(self.gap_problem(gap, self.p.branch2), acting_user=self.p.branch2_manager)
        with self.assertRaisesMessage(ValidationError, second.ledger_no):
            services.reopen_problem(first, acting_user=self.p.committee_manager, comment="回头看")
        first.refresh_from_db()
        self.assertEqual(first.status, ProblemStatus.CLOSED)

    def test_a_gap_that_is_not_there_cannot_be_filed(self) -> None:
        on = timezone.localdate()
        problem = Problem(org=self.p.branch1, gap_rule="orgs.structure", gap_org=self.p.branch1,
                          gap_title="正式党员不足3人", title="x", description="y", source="gap", found_on=on,
                          standard="s", measures="m", deadline=on)
        with self.assertRaisesMessage(ValidationError, "这项差距已经不存在"):
            services.create_problem(problem, acting_user=self.p.branch1_manager)

    def test_overdue_and_due_soon_problems_are_gaps(self) -> None:
        overdue = new_problem(self.p, self.p.branch1, "逾期的问题", deadline_days=5, found_days_ago=20)
        soon = new_problem(self.p, self.p.branch1, "快到期的问题", deadline_days=12, found_days_ago=10)
        found = {(g.check, g.extra.get("problem")) for g in gaps_for(self.p.branch1, timezone.localdate())}
        self.assertIn(("campaigns.overdue", overdue.pk), found)
        self.assertIn(("campaigns.due_soon", soon.pk), found)
        self.assertNotIn(("campaigns.overdue", overdue.pk),
                         {(g.check, g.extra.get("problem")) for g in gaps_for(self.p.branch2, timezone.localdate())})


class ProjectCloseTest(PersonaTestCase):
    def test_a_project_is_done_only_with_its_result_and_not_before_it_began(self) -> None:
        from campaigns.choices import ProjectStatus
        from campaigns.tests.helpers import new_project

        project = new_project(self.p, self.p.branch1, "加装电梯")
        with self.assertRaises(ValidationError) as ctx:
            services.update_project(project, acting_user=self.p.branch1_manager, changes={"status": ProjectStatus.DONE})
        self.assertIn("result", ctx.exception.message_dict)
        later = timezone.localdate() + datetime.timedelta(days=10)
        with self.assertRaises(ValidationError) as ctx:
            services.update_project(project, acting_user=self.p.branch1_manager, changes={
                "status": ProjectStatus.DONE, "result": "已加装", "start": later,
                "deadline": later + datetime.timedelta(days=30)})
        self.assertIn("status", ctx.exception.message_dict)
        services.update_project(project, acting_user=self.p.branch1_manager,
                                changes={"status": ProjectStatus.DONE, "result": "已加装"})
        project.refresh_from_db()
        self.assertEqual((project.status, project.done_on), (ProjectStatus.DONE, timezone.localdate()))


class ChecklistSubmitTest(PersonaTestCase):
    def test_a_submission_names_every_item_left_to_do_at_once(self) -> None:
        from campaigns.choices import Answer

        checklist = services.copy_checklist(self.p.branch1, acting_user=self.p.branch1_manager)
        [task] = services.assign_checklist(checklist, acting_user=self.p.branch1_manager, members=[self.p.member])
        items = list(checklist.items.order_by("number"))
        answers = {item.pk: (Answer.YES, "") for item in items[2:]}
        answers[items[3].pk] = (Answer.NO, "")
        with self.assertRaises(ValidationError) as ctx:
            services.answer_checklist(task, acting_user=self.p.member_user, answers=answers, submit=True)
        self.assertEqual(ctx.exception.messages, [
            f"第{items[0].number}、{items[1].number}项还没有作答",
            f"第{items[3].number}项回答“否”，请写明具体情况"])


    def test_a_project_done_before_these_checks_still_takes_unrelated_edits(self) -> None:
        from campaigns.choices import ProjectStatus
        from campaigns.models import Project
        from campaigns.tests.helpers import new_project

        project = new_project(self.p, self.p.branch1, "老项目")
        Project.objects.filter(pk=project.pk).update(status=ProjectStatus.DONE, result="", done_on=project.start)
        project.refresh_from_db()
        services.update_project(project, acting_user=self.p.branch1_manager, changes={"feedback_open": False})
        with self.assertRaises(ValidationError):
            services.update_project(project, acting_user=self.p.branch1_manager, changes={"result": " "})
