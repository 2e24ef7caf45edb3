"""Pinned fixes from a review of the campaigns app: linked records a reader may not see, the answers' change
log on submission, self-inspection assignments that follow a transferred member."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns import services
from campaigns.choices import Answer, RequirementKind
from campaigns.models import Assignment, Campaign, Requirement
from campaigns.tests.helpers import new_campaign
from core.models import ObjectChange
from core.scoping import forget_scopes
from core.testing.api import APITestCase
from core.testing.views import PersonaTestCase
from essays.tests.helpers import new_request
from learning.tests.helpers import new_activity
from orgs import services as org_services
from orgs.models import Transfer


def link_hidden_records(test: Any) -> tuple[Campaign, Any, Any]:
    """A committee campaign whose requirements count an activity and an essay request of branch2 only."""
    p = test.p
    campaign = new_campaign(p, p.committee, "委员会主题教育")
    activity = new_activity(p, p.branch2, 77)  # "学习活动77", for branch2's subtree
    request = new_request(p, p.branch2, title="第二支部专属布置")
    services.add_requirement(Requirement(campaign=campaign, kind=RequirementKind.STUDY, title="规定学习",
                                         activity=activity), acting_user=p.committee_manager)
    services.add_requirement(Requirement(campaign=campaign, kind=RequirementKind.ESSAY, title="规定心得",
                                         essay_request=request), acting_user=p.committee_manager)
    return campaign, activity, request


class LinkedRecordsPageTest(PersonaTestCase):
    def test_a_linked_activity_or_request_the_reader_may_not_see_is_left_out(self) -> None:
        campaign, activity, request = link_hidden_records(self)
        url = reverse("campaigns:campaign_detail", args=[campaign.pk])
        for user in (self.p.branch1_manager, self.p.member_user, self.p.inspector):
            self.client.force_login(user)
            self.assertEqual(self.client.get(activity.get_absolute_url()).status_code, 404)
            self.assertEqual(self.client.get(request.get_absolute_url()).status_code, 404)
            page = self.client.get(url).content.decode()
            self.assertIn("规定学习", page)  # the requirement itself is the campaign's
            for hidden in (activity.title, activity.get_absolute_url(), request.title, request.get_absolute_url(),
                           "人次参加", "已提交0篇"):
                self.assertNotIn(hidden, page, user)
        for user in (self.p.branch2_manager, self.p.committee_manager):
            self.client.force_login(user)
            page = self.client.get(url).content.decode()
            for shown in (activity.title, activity.get_absolute_url(), request.title, request.get_absolute_url()):
                self.assertIn(shown, page, user)

    def test_the_launching_organization_is_a_link_only_for_those_who_may_open_it(self) -> None:
        campaign = new_campaign(self.p, self.p.committee, "委员会主题教育")
        url = reverse("campaigns:campaign_detail", args=[campaign.pk])
        org_url = self.p.committee.get_absolute_url()
        self.client.force_login(self.p.branch1_manager)
        self.assertEqual(self.client.get(org_url).status_code, 404)
        page = self.client.get(url).content.decode()
        self.assertIn(self.p.committee.name, page)
        self.assertNotIn(f'href="{org_url}"', page)
        self.client.force_login(self.p.committee_manager)
        self.assertIn(f'href="{org_url}"', self.client.get(url).content.decode())


class LinkedRecordsAPITest(APITestCase):
    def test_a_linked_record_the_user_may_not_see_reads_as_none(self) -> None:
        campaign, activity, request = link_hidden_records(self)
        url = reverse("campaign-requirements", args=[campaign.pk])
        for user in (self.p.branch1_manager, self.p.member_user):
            self.login(user)
            rows = {r["title"]: r for r in self.client.get(url).data}
            self.assertEqual((rows["规定学习"]["activity"], rows["规定心得"]["essay_request"]), (None, None))
        for user in (self.p.branch2_manager, self.p.committee_manager):
            self.login(user)
            rows = {r["title"]: r for r in self.client.get(url).data}
            self.assertEqual((rows["规定学习"]["activity"], rows["规定心得"]["essay_request"]),
                             (activity.pk, request.pk))

    def test_the_links_of_a_whole_list_are_checked_at_once(self) -> None:
        campaign = new_campaign(self.p, self.p.committee, "委员会主题教育")
        url = reverse("campaign-requirements", args=[campaign.pk])
        self.login(self.p.branch1_manager)
        self.client.get(url)  # the first request also fills the scope caches
        counts, expected = [], {}
        for n, first in ((2, 0), (6, 10)):
            for i in range(first, first + n):
                # Odd ones are branch1's (shown to its manager), even ones branch2's (hidden).
                activity = new_activity(self.p, self.p.branch1 if i % 2 else self.p.branch2, i)
                services.add_requirement(Requirement(campaign=campaign, kind=RequirementKind.STUDY, title=f"学习{i}",
                                                     activity=activity), acting_user=self.p.committee_manager)
                expected[f"学习{i}"] = bool(i % 2)
            with CaptureQueriesContext(connection) as captured:
                rows = self.client.get(url).data
            counts.append(len(captured))
            self.assertEqual({r["title"]: r["activity"] is not None for r in rows}, expected)
        self.assertEqual(counts[0], counts[1])


class SubmittedAnswersLogTest(PersonaTestCase):
    def test_answers_saved_and_submitted_at_once_are_logged_with_the_submission(self) -> None:
        checklist = services.copy_checklist(self.p.branch1, acting_user=self.p.branch1_manager)
        (assignment,) = services.assign_checklist(checklist, acting_user=self.p.branch1_manager,
                                                  members=[self.p.member])
        items = list(checklist.items.all())
        answers = {i.pk: (Answer.YES, "") for i in items}
        answers[items[1].pk] = (Answer.PARTLY, "学习笔记不全")
        services.answer_checklist(assignment, acting_user=self.p.member_user, answers=answers, submit=True)
        log = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(Assignment),
                                          object_id=assignment.pk, action="update").order_by("pk")
        self.assertEqual([c.message for c in log], ["保存检视结果", "提交检视结果：1项需整改"])
        expected = {str(i.number): Answer.YES for i in items} | {"2": Answer.PARTLY}
        self.assertEqual(log[0].postchange_data, {"answers": expected})
        self.assertEqual(log[0].user, self.p.member_user)

    def test_the_submit_button_on_the_page_logs_the_answers(self) -> None:
        checklist = services.copy_checklist(self.p.branch1, acting_user=self.p.branch1_manager)
        (assignment,) = services.assign_checklist(checklist, acting_user=self.p.branch1_manager,
                                                  members=[self.p.member])
        body = {"action": "submit"} | {f"answer-{i.pk}": Answer.YES for i in checklist.items.all()}
        self.client.force_login(self.p.member_user)
        response = self.client.post(reverse("campaigns:assignment_detail", args=[assignment.pk]), body)
        self.assertEqual(response.status_code, 302)
        log = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(Assignment),
                                          object_id=assignment.pk, action="update")
        self.assertEqual(log.filter(message="保存检视结果").count(), 1)
        logged = log.get(message="保存检视结果").postchange_data or {}
        self.assertEqual(len(logged["answers"]), checklist.items.count())


class SubmittedChecklistTest(PersonaTestCase):
    def setUp(self) -> None:
        checklist = services.copy_checklist(self.p.branch1, acting_user=self.p.branch1_manager)
        (self.assignment,) = services.assign_checklist(checklist, acting_user=self.p.branch1_manager,
                                                       members=[self.p.member])
        self.items = list(checklist.items.all())
        self.url = reverse("campaigns:assignment_detail", args=[self.assignment.pk])

    def test_the_checklist_page_shows_how_far_an_unsubmitted_one_has_got(self) -> None:
        services.answer_checklist(self.assignment, acting_user=self.p.member_user,
                                  answers={self.items[0].pk: (Answer.YES, ""), self.items[1].pk: (Answer.YES, "")})
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get(self.assignment.checklist.get_absolute_url())
        self.assertContains(page, f"已答2/{len(self.items)}")

    def test_a_page_sent_again_after_submitting_is_told_it_was_submitted_not_forbidden(self) -> None:
        body = {"action": "submit"} | {f"answer-{i.pk}": Answer.YES for i in self.items}
        self.client.force_login(self.p.member_user)
        self.assertEqual(self.client.post(self.url, body).status_code, 302)
        again = self.client.post(self.url, body | {f"answer-{self.items[0].pk}": Answer.NO}, follow=True)
        self.assertEqual(again.status_code, 200)
        self.assertContains(again, "这份检视结果已经提交，不能再修改")
        self.assertEqual(self.assignment.answers.get(item=self.items[0]).answer, Answer.YES)
        self.client.force_login(self.p.branch2_manager)
        self.assertEqual(self.client.post(self.url, body).status_code, 404)

    def test_a_finding_is_filed_once_and_its_page_links_to_the_problem(self) -> None:
        from campaigns.models import Problem
        from campaigns.tests.helpers import new_problem

        answers = {i.pk: (Answer.YES, "") for i in self.items} | {self.items[1].pk: (Answer.NO, "笔记不全")}
        services.answer_checklist(self.assignment, acting_user=self.p.member_user, answers=answers, submit=True)
        row = self.assignment.answers.get(item=self.items[1])
        problem = new_problem(self.p, self.p.branch1, "学习笔记不全", answer=row)
        with self.assertRaisesMessage(ValidationError, f"这条检视结果已列入问题清单（{problem.ledger_no}）"):
            new_problem(self.p, self.p.branch1, "学习笔记不全", answer=row)
        self.assertEqual(Problem.objects.filter(answer=row).count(), 1)
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get(self.url)
        self.assertContains(page, f"已列入问题清单 {problem.ledger_no}")
        self.assertNotContains(page, f"?answer={row.pk}")


class AssignNothingTest(PersonaTestCase):
    def test_assigning_nobody_or_only_those_who_have_it_says_so(self) -> None:
        checklist = services.copy_checklist(self.p.branch1, acting_user=self.p.branch1_manager)
        url = reverse("campaigns:checklist_assign", args=[checklist.pk])
        self.client.force_login(self.p.branch1_manager)
        self.assertContains(self.client.post(url, {}, follow=True), "请选择检视对象（个人或组织）")
        self.assertFalse(Assignment.objects.filter(checklist=checklist).exists())
        self.assertContains(self.client.post(url, {"members": [self.p.member.pk]}, follow=True), "已分派1份")
        # Several chosen in the list take the queries of one (their records are read at once).
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        counts = []
        for chosen in (self.p.branch1_members[1:2], self.p.branch1_members[2:4]):
            Assignment.objects.filter(checklist=checklist).exclude(member=self.p.member).delete()
            with CaptureQueriesContext(connection) as captured:
                self.client.post(url, {"members": [m.pk for m in chosen]})
            counts.append(len(captured))
        self.assertEqual(counts[0], counts[1])
        Assignment.objects.filter(checklist=checklist).exclude(member=self.p.member).delete()
        self.assertContains(self.client.post(url, {"members": [self.p.member.pk]}, follow=True),
                            "所选对象都已有这份检视清单，没有新分派")
        self.assertEqual(Assignment.objects.filter(checklist=checklist).count(), 1)
        api = self.client.post(f"/api/campaigns/checklists/{checklist.pk}/assign/", {}, content_type="application/json")
        self.assertEqual(api.status_code, 400, api.content)
        # Many people are named by ID number, one a line (a name after it is fine); a sibling's is refused.
        others = [m for m in self.p.branch1_members if m.pk != self.p.member.pk][:2]
        typed = "\n".join(f"{m.id_number} {m.name}" for m in others)
        self.assertContains(self.client.post(url, {"member_ids": typed}, follow=True), "已分派2份")
        sibling = self.p.branch2_members[0]
        refused = self.client.post(url, {"member_ids": f"{sibling.id_number}"}, follow=True)
        self.assertContains(refused, "这些身份证号不在您的管理范围内")
        self.assertEqual(Assignment.objects.filter(checklist=checklist).count(), 3)


class LongTextTest(PersonaTestCase):
    """Text over its length is refused with the length, never cut without a word."""

    def test_questions_notes_and_review_comments_are_refused_not_cut(self) -> None:
        from campaigns.models import Checklist
        from campaigns.tests.helpers import new_problem

        with self.assertRaisesMessage(ValidationError, "第2项太长"):
            services.create_checklist(Checklist(org=self.p.branch1, title="清单"), acting_user=self.p.branch1_manager,
                                      items=[("", "短"), ("", "长" * 501)])
        self.assertFalse(Checklist.objects.filter(title="清单").exists())
        checklist = services.copy_checklist(self.p.branch1, acting_user=self.p.branch1_manager)
        (assignment,) = services.assign_checklist(checklist, acting_user=self.p.branch1_manager,
                                                  members=[self.p.member])
        item = checklist.items.first()
        assert item is not None
        with self.assertRaisesMessage(ValidationError, "第1项的具体情况太长（2001字），最多2000字"):
            services.answer_checklist(assignment, acting_user=self.p.member_user,
                                      answers={item.pk: (Answer.NO, "况" * 2001)})
        self.assertFalse(assignment.answers.exists())
        problem = new_problem(self.p, self.p.branch1, "台账缺页")
        services.submit_for_close(problem, acting_user=self.p.branch1_manager)
        with self.assertRaisesMessage(ValidationError, "审核意见太长（2001字），最多2000字"):
            services.review_problem(problem, acting_user=self.p.committee_manager, decision="return",
                                    comment="理" * 2001)
        self.client.force_login(self.p.committee_manager)
        page = self.client.post(reverse("campaigns:problem_review", args=[problem.pk]),
                                {"decision": "return", "comment": "理" * 2001}, follow=True)
        self.assertContains(page, "目前字符数 2001")  # the form's own refusal, with the length typed
        self.assertFalse(problem.reviews.exists())


class ProblemFormChoicesTest(PersonaTestCase):
    def test_categories_say_which_campaign_they_belong_to_and_a_chosen_campaign_offers_only_its_own(self) -> None:
        from campaigns.tests.helpers import new_campaign

        first = new_campaign(self.p, self.p.committee, "第一批")
        second = new_campaign(self.p, self.p.committee, "第二批")
        self.client.force_login(self.p.branch1_manager)
        form = self.client.get(reverse("campaigns:problem_add")).context["form"]
        labels = [label for value, label in form.fields["category"].choices if value]
        self.assertIn("第一批：理论学习有收获", labels)
        self.assertIn("第二批：理论学习有收获", labels)
        form = self.client.get(reverse("campaigns:problem_add") + f"?campaign={second.pk}").context["form"]
        offered = {c.campaign_id for c in form.fields["category"].queryset}
        self.assertEqual(offered, {second.pk})
        self.assertNotEqual(first.pk, second.pk)


class AssignmentFollowsTransferTest(APITestCase):
    def test_a_transferred_members_assignment_moves_to_the_new_branch(self) -> None:
        checklist = services.copy_checklist(self.p.committee, acting_user=self.p.committee_manager)
        (assignment,) = services.assign_checklist(checklist, acting_user=self.p.committee_manager,
                                                  members=[self.p.member])
        (for_org,) = services.assign_checklist(checklist, acting_user=self.p.committee_manager,
                                               orgs=[self.p.branch1])
        first = checklist.items.order_by("number").first()
        assert first is not None
        services.answer_checklist(assignment, acting_user=self.p.member_user,
                                  answers={first.pk: (Answer.NO, "很少参加组织生活")})
        transfer = org_services.start_transfer(
            Transfer(member=self.p.member, to_org=self.p.branch2, date=timezone.localdate(), reason="工作调动"),
            acting_user=self.p.branch1_manager)
        org_services.confirm_transfer(transfer, acting_user=self.p.branch2_manager)

        assignment.refresh_from_db()
        self.assertEqual((assignment.org, assignment.org_path), (self.p.branch2, self.p.branch2.path))
        for_org.refresh_from_db()
        self.assertEqual(for_org.org, self.p.branch1)  # the branch's own checklist stays with it
        page = reverse("campaigns:assignment_detail", args=[assignment.pk])
        api = reverse("assignment-detail", args=[assignment.pk])
        history = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(Assignment),
                                              object_id=assignment.pk)
        pages = Client()
        # The old branch no longer reads the person's answers, on the page, through the API or in the log.
        pages.force_login(self.p.branch1_manager)
        self.assertEqual(pages.get(page).status_code, 404)
        self.login(self.p.branch1_manager)
        self.assertEqual(self.client.get(api).status_code, 404)
        self.assertFalse(history.restrict(self.p.branch1_manager).exists())
        # The new one does.
        pages.force_login(self.p.branch2_manager)
        self.assertContains(pages.get(page), "很少参加组织生活")
        self.login(self.p.branch2_manager)
        self.assertEqual(self.client.get(api).data["answers"][0]["note"], "很少参加组织生活")
        forget_scopes(self.p.branch2_manager)
        self.assertTrue(history.filter(message="保存检视结果").restrict(self.p.branch2_manager).exists())
        # The member still reads their own.
        pages.force_login(self.p.member_user)
        self.assertEqual(pages.get(page).status_code, 200)


class KeptInputTest(PersonaTestCase):
    def test_a_refused_progress_report_keeps_its_text_on_that_problem_page_only(self) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from campaigns.tests.helpers import new_problem

        problem = new_problem(self.p, self.p.branch1, "会议记录不全")
        other = new_problem(self.p, self.p.branch1, "另一个问题")
        self.client.force_login(self.p.branch1_manager)
        bad = SimpleUploadedFile("bad.txt", b"plain text", content_type="text/plain")
        response = self.client.post(reverse("campaigns:problem_progress", args=[problem.pk]),
                                    {"text": "已补齐三次支委会记录", "evidence": bad}, follow=True)
        self.assertContains(response, "类型不允许上传")
        self.assertContains(response, "已补齐三次支委会记录</textarea>")
        self.assertEqual(problem.updates.count(), 0)
        # Shown once, and only on the page the form was sent from.
        self.assertNotContains(self.client.get(problem.get_absolute_url()), "已补齐三次支委会记录")
        self.client.post(reverse("campaigns:problem_progress", args=[problem.pk]),
                         {"text": "已补齐三次支委会记录", "evidence": bad})
        self.assertNotContains(self.client.get(other.get_absolute_url()), "已补齐三次支委会记录")

    def test_a_refused_requirement_keeps_its_title_on_the_campaign_page(self) -> None:
        campaign = new_campaign(self.p, self.p.branch1)
        self.client.force_login(self.p.branch1_manager)
        response = self.client.post(reverse("campaigns:requirement_add", args=[campaign.pk]),
                                    {"kind": "bogus", "title": "专题组织生活会"}, follow=True)
        self.assertContains(response, 'value="专题组织生活会"')

    def test_the_review_record_shows_each_request_for_close_out_with_its_note(self) -> None:
        from campaigns.choices import ReviewDecision
        from campaigns.tests.helpers import new_problem

        problem = new_problem(self.p, self.p.branch1, "会议记录不全")
        services.submit_for_close(problem, acting_user=self.p.branch1_manager, note="已补齐三次会议记录")
        services.review_problem(problem, acting_user=self.p.committee_manager, decision=ReviewDecision.RETURN,
                                comment="缺少照片")
        self.client.force_login(self.p.branch1_manager)
        trail = self.client.get(problem.get_absolute_url()).context["reviews"]
        self.assertEqual([(t["label"], t["text"]) for t in trail],
                         [("退回整改", "缺少照片"), ("申请销号", "已补齐三次会议记录")])
        self.assertEqual(str(trail[1]["who"]), self.p.branch1_manager.username)

    def test_the_level_above_does_not_file_the_close_out_it_reviews(self) -> None:
        from django.core.exceptions import PermissionDenied

        from campaigns.tests.helpers import new_problem

        problem = new_problem(self.p, self.p.branch1, "会议记录不全")
        with self.assertRaises(PermissionDenied):
            services.submit_for_close(problem, acting_user=self.p.committee_manager)
        self.client.force_login(self.p.committee_manager)
        self.assertNotContains(self.client.get(problem.get_absolute_url()), 'id="submit-close"')
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get(problem.get_absolute_url())
        self.assertContains(page, 'id="submit-close"')
        self.assertContains(page, 'name="note"')
        self.client.post(reverse("campaigns:problem_submit", args=[problem.pk]), {"note": "已补录全部记录"})
        trail = self.client.get(problem.get_absolute_url()).context["reviews"]
        self.assertEqual([(t["label"], t["text"]) for t in trail], [("申请销号", "已补录全部记录")])

    def test_a_close_out_note_too_long_to_keep_is_refused_and_shown_again(self) -> None:
        from campaigns.choices import ProblemStatus
        from campaigns.tests.helpers import new_problem

        problem = new_problem(self.p, self.p.branch1, "会议记录不全")
        self.client.force_login(self.p.branch1_manager)
        note = "补" * 501
        response = self.client.post(reverse("campaigns:problem_submit", args=[problem.pk]), {"note": note},
                                    follow=True)
        self.assertContains(response, "申请说明")
        self.assertContains(response, "500")
        self.assertContains(response, f">{note}</textarea>")
        problem.refresh_from_db()
        self.assertNotEqual(problem.status, ProblemStatus.SUBMITTED)

    def test_a_milestone_lies_within_the_problem_and_a_refused_form_names_its_fields(self) -> None:
        import datetime

        from campaigns.models import Milestone
        from campaigns.tests.helpers import new_problem

        problem = new_problem(self.p, self.p.branch1, "会议记录不全")
        url = reverse("campaigns:problem_milestone", args=[problem.pk])
        self.client.force_login(self.p.branch1_manager)
        empty = self.client.post(url, {"title": "", "due": ""}, follow=True)
        self.assertContains(empty, "节点：该字段是必填项。；计划完成：该字段是必填项。")
        for due, message in ((problem.found_on - datetime.timedelta(days=1), "计划完成日期不能早于发现日期"),
                             (problem.deadline + datetime.timedelta(days=1), "计划完成日期不能晚于办结时限")):
            page = self.client.post(url, {"title": "补齐记录", "due": f"{due:%Y-%m-%d}"}, follow=True)
            self.assertContains(page, message)
        self.assertFalse(Milestone.objects.filter(problem=problem).exists())
        self.client.post(url, {"title": "补齐记录", "due": f"{problem.deadline:%Y-%m-%d}"})
        self.assertTrue(Milestone.objects.filter(problem=problem).exists())

    def test_a_request_without_a_note_filed_in_english_shows_no_note_to_a_chinese_reader(self) -> None:
        from django.utils import translation

        from campaigns.tests.helpers import new_problem

        problem = new_problem(self.p, self.p.branch1, "会议记录不全")
        with translation.override("en"):
            services.submit_for_close(problem, acting_user=self.p.branch1_manager)
        self.client.force_login(self.p.committee_manager)
        trail = self.client.get(problem.get_absolute_url()).context["reviews"]
        self.assertEqual([(t["label"], t["text"]) for t in trail], [("申请销号", "")])
