"""The essay workflow: request, draft, submit (checked for originality), review, revise; gaps."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from core.changelog import snapshot
from core.choices import Action
from core.gaps import gaps_for
from core.models import ObjectChange
from core.scoping import can
from core.testing.views import PersonaTestCase
from essays import originality
from essays.choices import CheckStatus, Decision, EssayAudience, EssayStatus
from essays.models import Essay, EssayVersion, Formulation, ReferenceDocument
from essays.services import DRAFT_LOG_WINDOW, add_formulation, review, save_draft, start_essay, submit
from essays.tests.helpers import OWN, SENTENCES, author, essay_text, new_request, submitted, write


def pct(value: Decimal | None) -> float:
    """An originality that must have been computed."""
    assert value is not None, "the check did not run"
    return float(value)


class WorkflowTest(PersonaTestCase):
    def setUp(self) -> None:
        self.request = new_request(self.p, self.p.committee)
        self.user = self.p.member_user

    def test_write_submit_check_review_return_revise_approve(self) -> None:
        essay = start_essay(self.request, acting_user=self.user)
        self.assertEqual(essay.status, EssayStatus.DRAFT)
        save_draft(essay, acting_user=self.user, title="我的体会", text=OWN[0])
        version = submitted(essay, self.user)
        self.assertEqual((version.number, version.check_status, pct(version.originality)),
                         (1, CheckStatus.DONE, 100.0))
        checked = ObjectChange.objects.get(content_type__model="essayversion", object_id=version.pk, action="update")
        self.assertEqual((checked.user_id, checked.message, (checked.postchange_data or {})["check_status"]),
                         (None, "原创度检查完成：100.0%", CheckStatus.DONE))
        self.assertNotIn("result", checked.postchange_data or {})
        essay.refresh_from_db()
        self.assertEqual((essay.status, essay.versions_count), (EssayStatus.SUBMITTED, 1))
        review(version, acting_user=self.p.branch1_manager, decision=Decision.RETURNED, comment="联系实际不够")
        essay.refresh_from_db()
        self.assertEqual(essay.status, EssayStatus.RETURNED)
        with self.assertRaisesMessage(ValidationError, "内容与退回修改的那一稿相同"):
            submit(essay, acting_user=self.user, title="我的体会", text=OWN[0])
        self.client.force_login(self.user)
        self.assertEqual(self.client.get(reverse("essays:essay_write", args=[essay.pk])).status_code, 200)
        second = submitted(essay, self.user, text=OWN[0] + OWN[1])
        self.assertEqual(second.number, 2)
        review(second, acting_user=self.p.committee_manager, decision=Decision.APPROVED)
        essay.refresh_from_db()
        self.assertEqual(essay.status, EssayStatus.APPROVED)
        self.assertEqual(list(essay.versions.values_list("number", "decision")),
                         [(2, Decision.APPROVED), (1, Decision.RETURNED)])
        with self.assertRaises(ValidationError):
            save_draft(essay, acting_user=self.user, title="", text="改")
        approved = self.client.get(reverse("essays:essay_write", args=[essay.pk]), follow=True)
        self.assertEqual(approved.redirect_chain, [(essay.get_absolute_url(), 302)])
        self.assertContains(approved, "心得体会已经审阅通过，不能再修改")
        logged = ObjectChange.objects.filter(object_id=essay.pk, content_type__model="essay")
        self.assertGreaterEqual(logged.count(), 6)
        versions = ObjectChange.objects.filter(content_type__model="essayversion", action="create")
        self.assertEqual(sorted(versions.values_list("object_id", flat=True)),
                         sorted(essay.versions.values_list("pk", flat=True)))

    def test_draft_saves_in_a_row_are_one_change_from_the_first_state_to_the_last(self) -> None:
        essay = start_essay(self.request, acting_user=self.user)
        drafts = ObjectChange.objects.filter(content_type__model="essay", object_id=essay.pk, message="保存草稿")
        states = [snapshot(essay)["text"]]
        for text in ("第一段", "第一段第二段", "第一段第二段第三段"):
            states.append(snapshot(save_draft(essay, acting_user=self.user, title="", text=text))["text"])
        row = drafts.get()
        self.assertEqual((row.prechange_data or {})["text"], states[0])
        self.assertEqual((row.postchange_data or {})["text"], states[-1])
        # Once the run has paused longer than the window, the next save starts a new row.
        ObjectChange.objects.filter(pk=row.pk).update(time=timezone.now() - DRAFT_LOG_WINDOW
                                                      - datetime.timedelta(seconds=1))
        states.append(snapshot(save_draft(essay, acting_user=self.user, title="", text="重写"))["text"])
        self.assertEqual([((c.prechange_data or {})["text"], (c.postchange_data or {})["text"])
                          for c in drafts.order_by("pk")], [(states[0], states[3]), (states[3], states[4])])
        # Another kind of change in between ends the run too: submitting saves the text as a draft (which
        # continues the second row) and then records the submission; the next draft save is a new row.
        submitted(essay, self.user, text=OWN[0])
        save_draft(essay, acting_user=self.user, title="", text=OWN[1])
        self.assertEqual(drafts.count(), 3)

    def test_only_the_author_writes_and_only_a_manager_who_is_not_the_author_reviews(self) -> None:
        essay = write(self.request, self.user, OWN[0])
        with self.assertRaises(Http404):
            save_draft(essay, acting_user=self.p.branch1_manager, title="", text=OWN[1])
        version = essay.versions.get()
        with self.assertRaises(Http404):
            review(version, acting_user=self.p.branch2_manager, decision=Decision.APPROVED)
        with self.assertRaises(PermissionDenied):
            review(version, acting_user=self.p.inspector, decision=Decision.APPROVED)
        with self.assertRaises(PermissionDenied):
            review(version, acting_user=self.user, decision=Decision.APPROVED)

    def test_a_second_reviewer_is_told_it_was_already_reviewed(self) -> None:
        version = write(self.request, self.user, OWN[0]).versions.get()
        review(version, acting_user=self.p.branch1_manager, decision=Decision.APPROVED)
        with self.assertRaisesMessage(ValidationError, "已经由他人审阅"):
            review(version, acting_user=self.p.committee_manager, decision=Decision.RETURNED, comment="不行")
        self.assertEqual(EssayVersion.objects.get(pk=version.pk).decision, Decision.APPROVED)

    def test_returning_needs_a_comment(self) -> None:
        version = write(self.request, self.user, OWN[0]).versions.get()
        with self.assertRaises(ValidationError):
            review(version, acting_user=self.p.branch1_manager, decision=Decision.RETURNED, comment=" ")

    def test_someone_outside_the_audience_cannot_start(self) -> None:
        request = new_request(self.p, self.p.branch2)
        with self.assertRaisesMessage(ValidationError, "不在"):
            start_essay(request, acting_user=self.user)
        chosen = new_request(self.p, self.p.committee, audience=EssayAudience.MEMBERS, members=[self.p.member])
        self.assertTrue(start_essay(chosen, acting_user=self.user).pk)


class LatenessTest(PersonaTestCase):
    def test_a_first_submission_after_the_deadline_is_recorded_as_late_and_counted(self) -> None:
        from essays import reports
        from essays.tables import EssayTable

        request = new_request(self.p, self.p.committee, deadline=timezone.localdate() - datetime.timedelta(days=4))
        late = write(request, self.p.member_user, OWN[0])
        on_time = write(new_request(self.p, self.p.committee, title="按时的"), self.p.member_user, OWN[1])
        self.assertEqual((late.late_days, on_time.late_days), (4, 0))
        review(late.versions.get(), acting_user=self.p.branch1_manager, decision=Decision.RETURNED, comment="再改")
        submitted(late, self.p.member_user, text=OWN[0] + OWN[2])
        late.refresh_from_db()
        self.assertEqual((late.versions_count, late.late_days), (2, 4))  # the first submission counts
        self.assertEqual(reports.summary(Essay.objects.filter(pk__in=[late.pk, on_time.pk]))["late"], 1)
        table = EssayTable(Essay.objects.filter(pk__in=[late.pk, on_time.pk]).order_by("pk"))
        column = next(c for c in table.columns if c.name == "late_days")
        self.assertEqual([column.value(e, table) for e in table.rows], ["逾期4天", "按时"])
        self.client.force_login(self.p.branch1_manager)
        self.assertContains(self.client.get(late.get_absolute_url()), "逾期4天提交")
        page = self.client.get("/api/essays/essays/", {"page_size": 50}).json()
        listed = {e["id"]: e["late_days"] for e in page["results"]}
        self.assertEqual((listed[late.pk], listed[on_time.pk]), (4, 0))

    def test_the_migration_fills_in_the_lateness_of_essays_handed_in_before(self) -> None:
        import importlib

        from django.apps import apps

        request = new_request(self.p, self.p.committee, deadline=timezone.localdate() - datetime.timedelta(days=2))
        essay = write(request, self.p.member_user, OWN[0])
        Essay.objects.filter(pk=essay.pk).update(late_days=None)
        importlib.import_module("essays.migrations.0003_essay_late_days").fill_late_days(apps, None)
        essay.refresh_from_db()
        self.assertEqual(essay.late_days, 2)


class BadInputTest(PersonaTestCase):
    """Each bad text is refused with its reason, and nothing is saved: no version, no change of state."""

    def setUp(self) -> None:
        self.request = new_request(self.p, self.p.committee, min_length=100)
        self.essay = start_essay(self.request, acting_user=self.p.member_user)

    def refused(self, text: str, message: str) -> None:
        with self.assertRaisesMessage(ValidationError, message):
            submit(self.essay, acting_user=self.p.member_user, text=text)
        self.assertFalse(EssayVersion.objects.exists())
        self.assertEqual(Essay.objects.get(pk=self.essay.pk).status, EssayStatus.DRAFT)

    def test_empty(self) -> None:
        self.refused("", "正文为空")

    def test_whitespace_or_punctuation_only(self) -> None:
        self.refused(" \n\t　 ", "正文为空")
        self.refused("。，、！？……——“”《》" * 20, "只有标点")

    def test_a_megabyte_of_pasted_text(self) -> None:
        with self.assertRaisesMessage(ValidationError, "超过上限"):
            submit(self.essay, acting_user=self.p.member_user, text="党" * 1_000_000)
        self.assertFalse(EssayVersion.objects.exists())
        self.assertEqual(Essay.objects.get(pk=self.essay.pk).text, "")

    def test_one_slogan_repeated_500_times(self) -> None:
        self.refused("不忘初心、牢记使命。" * 500, "重复")

    def test_too_short(self) -> None:
        self.refused(OWN[0][:60], "少于要求的100字")

    def test_another_script_is_checked_and_flagged_for_the_reviewer(self) -> None:
        text = ("Ме бу йыл партия уставын өйрәндем һәм үҙ эшемде тикшерҙем, киләсәктә халыҡ менән "
                "күберәк осрашырға һәм уларҙың мәсьәләләрен хәл итергә ярҙам итергә тырышасаҡмын. ") * 2
        version = submitted(self.essay, self.p.member_user, text=text)
        self.assertEqual((version.check_status, version.result.get("notice")), (CheckStatus.DONE, "foreign_script"))
        self.assertTrue(originality.foreign_script(text))
        self.assertFalse(originality.foreign_script(OWN[0]))

    def test_the_same_text_twice_is_not_a_second_version(self) -> None:
        submit(self.essay, acting_user=self.p.member_user, text=OWN[0])
        with self.assertRaisesMessage(ValidationError, "相同"):
            submit(self.essay, acting_user=self.p.member_user, text=OWN[0])
        self.assertEqual(EssayVersion.objects.count(), 1)


class OriginalityTest(PersonaTestCase):
    def setUp(self) -> None:
        self.request = new_request(self.p, self.p.committee)
        self.first = author(self.p.branch2_members[0], "author2")
        self.copier = self.p.member_user

    def test_a_check_that_fails_is_marked_and_logged(self) -> None:
        from unittest import mock

        from essays.services import run_check

        version = write(self.request, self.first, essay_text(1)).versions.get()
        with mock.patch("essays.originality.check_text", side_effect=RuntimeError("index unreadable")), \
                self.assertRaises(RuntimeError):
            run_check(version)
        version.refresh_from_db()
        self.assertEqual(version.check_status, CheckStatus.FAILED)
        logged = ObjectChange.objects.filter(content_type__model="essayversion", object_id=version.pk).latest("pk")
        self.assertEqual(((logged.postchange_data or {})["check_status"], logged.user_id),
                         (CheckStatus.FAILED, None))
        self.assertIn("chuxin essays recheck", logged.message)

    def test_failed_and_interrupted_checks_are_run_again_by_the_command(self) -> None:
        from io import StringIO

        from django.core.management import call_command

        failed = write(self.request, self.first, essay_text(1)).versions.get()
        lost = write(self.request, self.copier, essay_text(2)).versions.get()
        running = write(new_request(self.p, self.p.committee, title="另一项"), self.copier, essay_text(3)
                        ).versions.get()
        long_ago = timezone.now() - datetime.timedelta(hours=2)
        EssayVersion.objects.filter(pk=failed.pk).update(check_status=CheckStatus.FAILED, originality=None)
        EssayVersion.objects.filter(pk=lost.pk).update(check_status=CheckStatus.PENDING, originality=None,
                                                       submitted_at=long_ago)
        EssayVersion.objects.filter(pk=running.pk).update(check_status=CheckStatus.PENDING, originality=None)
        out = StringIO()
        call_command("essays", "recheck", stdout=out, stderr=StringIO())
        self.assertIn("已重新检查2稿，失败0稿", out.getvalue())
        for version in (failed, lost):
            version.refresh_from_db()
            self.assertEqual(version.check_status, CheckStatus.DONE)
            self.assertIsNotNone(version.originality)
        running.refresh_from_db()
        self.assertEqual(running.check_status, CheckStatus.PENDING)  # submitted just now: its task may be running
        call_command("essays", "recheck", "--stale-minutes", "0", stdout=out, stderr=StringIO())
        running.refresh_from_db()
        self.assertEqual(running.check_status, CheckStatus.DONE)

    def test_a_copy_of_another_branchs_essay_is_found_and_its_source_hidden_from_this_branch(self) -> None:
        source = write(self.request, self.first, essay_text(1))
        copied = write(self.request, self.copier, OWN[0] + OWN[1].replace("，", " ") + OWN[2])
        version = copied.versions.get()
        self.assertLess(pct(version.originality), 80)
        result = originality.from_json(version.result)
        self.assertEqual({p.source for p in result.passages}, {source.versions.get().pk})
        # The copier's branch manager sees that it was copied, not from whom.
        shown = originality.describe(version.text, result, self.p.branch1_manager)
        self.assertFalse(can(self.p.branch1_manager, Action.VIEW, source))
        passage = shown["passages"][0]
        self.assertEqual(passage["source"]["visible"], False)
        self.assertIn("其他组织", passage["source"]["label"])
        self.assertNotIn(self.p.branch2_members[0].name, str(shown))
        self.assertEqual(passage["source_text"], "")
        # The author sees that a passage is someone else's, nothing more.
        shown = originality.describe(version.text, result, self.copier)
        self.assertEqual(shown["passages"][0]["source"]["label"].split("（")[0], "他人的一篇心得体会")
        self.assertNotIn(self.p.branch2_members[0].name, str(shown))
        # The committee sees both essays: the author's name and the matching passage.
        shown = originality.describe(version.text, result, self.p.committee_manager)
        passage = shown["passages"][0]
        self.assertTrue(passage["source"]["visible"])
        self.assertIn(self.p.branch2_members[0].name, passage["source"]["label"])
        self.assertIn(OWN[1][5:30], passage["source_text"])

    def test_the_first_essay_is_original_and_an_essay_is_not_its_own_source(self) -> None:
        essay = write(self.request, self.first, essay_text(1))
        second = submitted(essay, self.first, text=essay_text(1) + OWN[2])
        self.assertEqual(pct(second.originality), 100.0)

    def test_a_reference_document_is_a_source_with_its_title(self) -> None:
        ReferenceDocument.objects.create(title="支部工作条例", source_url="https://example.org/r",
                                         text="".join(SENTENCES), digest="x")
        essay = write(self.request, self.copier, OWN[0] + SENTENCES[4] + SENTENCES[5] + OWN[2])
        version = essay.versions.get()
        shown = originality.describe(version.text, originality.from_json(version.result), self.p.branch1_manager)
        self.assertEqual({p["source"]["title"] for p in shown["passages"]}, {"支部工作条例"})
        self.assertIn(SENTENCES[4][3:20], shown["passages"][0]["source_text"])

    def test_an_allow_listed_formulation_is_not_evidence(self) -> None:
        motto = "坚持把学习贯彻党的创新理论作为首要政治任务，深刻领悟两个确立的决定性意义，增强四个意识"
        write(self.request, self.first, OWN[1] + motto + OWN[1])
        before = write(new_request(self.p, self.p.committee, title="二"), self.copier, OWN[0] + motto + OWN[2])
        self.assertLess(pct(before.versions.get().originality), 100)
        add_formulation(Formulation(text=motto), acting_user=self.p.admin)
        after = write(new_request(self.p, self.p.committee, title="三"), self.copier, OWN[3] + motto + OWN[3])
        self.assertEqual(pct(after.versions.get().originality), 100.0)
        with self.assertRaises(PermissionDenied):
            add_formulation(Formulation(text="另一条"), acting_user=self.p.committee_manager)


class GapTest(PersonaTestCase):
    def test_not_submitted_by_the_deadline_and_returned_not_revised(self) -> None:
        today = timezone.localdate()
        request = new_request(self.p, self.p.committee, deadline=today - datetime.timedelta(days=1))
        essay = write(request, self.p.member_user, OWN[0])
        version = essay.versions.get()
        review(version, acting_user=self.p.branch1_manager, decision=Decision.RETURNED, comment="重写")
        EssayVersion.objects.filter(pk=version.pk).update(reviewed_at=timezone.now() - datetime.timedelta(days=10))
        overdue = [g for g in gaps_for(self.p.branch1, today) if g.rule == "essays.overdue.lookback_days"]
        expected = {m.pk for m in self.p.branch1_members if m.status in ("full", "probationary")} - {self.p.member.pk}
        self.assertEqual({g.member_id for g in overdue}, expected)
        returned = [g for g in gaps_for(self.p.branch1, today) if g.rule == "essays.returned.revise_days"]
        self.assertEqual([g.member_id for g in returned], [self.p.member.pk])
        # The sibling branch sees only its own members.
        sibling = {g.member_id for g in gaps_for(self.p.branch2, today) if g.rule.startswith("essays.")}
        self.assertTrue(sibling)
        self.assertTrue(sibling.isdisjoint({m.pk for m in self.p.branch1_members}))
