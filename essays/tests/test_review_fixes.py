"""Pinned fixes from a review of the essays app's scoping."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from core.scoping import forget_scopes
from core.testing.views import PersonaTestCase
from essays import corpus
from essays.choices import EssayAudience
from essays.models import Essay, EssayRequest, ReferenceDocument
from essays.services import start_essay, update_request
from essays.tests.helpers import OWN, SENTENCES, author, new_request, write
from learning.choices import AttendanceMethod, AttendanceStatus
from learning.models import Attendance
from learning.tests.helpers import new_activity


class ReviewFixesTest(PersonaTestCase):
    def test_attendees_of_a_committee_activity_asked_by_a_branch_are_only_its_own(self) -> None:
        activity = new_activity(self.p, self.p.committee, 1)
        sibling = self.p.branch2_members[0]
        for member in (self.p.member, sibling):
            Attendance.objects.create(activity=activity, member=member, org=member.org, org_path=member.org_path,
                                      activity_org_path=activity.org_path, status=AttendanceStatus.PRESENT,
                                      method=AttendanceMethod.RECORDED, hours=2)
        request = new_request(self.p, self.p.branch1, audience=EssayAudience.ATTENDEES, activity=activity)
        user = author(sibling, "sibling")
        forget_scopes(user)
        self.assertFalse(EssayRequest.objects.restrict(user).filter(pk=request.pk).exists())
        with self.assertRaises(ValidationError):
            start_essay(request, acting_user=user)
        self.assertTrue(start_essay(request, acting_user=self.p.member_user).pk)

    def test_a_request_with_essays_cannot_move_to_another_organization(self) -> None:
        request = new_request(self.p, self.p.committee)
        write(request, author(self.p.branch2_members[0], "a2"), OWN[1])
        with self.assertRaisesMessage(ValidationError, "不能改变布置单位"):
            update_request(request, acting_user=self.p.admin, changes={"org": self.p.branch1})
        self.assertFalse(Essay.objects.restrict(self.p.branch1_manager).exists())

    def test_the_api_shows_a_draft_to_its_author_only(self) -> None:
        essay = start_essay(new_request(self.p, self.p.committee), acting_user=self.p.member_user)
        Essay.objects.filter(pk=essay.pk).update(text="还没写完的草稿")
        client = APIClient()
        url = reverse("essay-detail", args=[essay.pk])
        client.force_authenticate(self.p.branch1_manager)
        self.assertNotIn("text", client.get(url).data)
        client.force_authenticate(self.p.member_user)
        self.assertEqual(client.get(url).data["text"], "还没写完的草稿")

    def test_a_source_link_is_a_web_address_or_nothing(self) -> None:
        doc, _created = corpus.save_document("t", "javascript:alert(1)", "".join(SENTENCES), acting_user=self.p.admin)
        self.assertEqual(doc.source_url, "")

    def test_the_versions_filter_does_not_tell_a_hidden_essay_from_a_missing_one(self) -> None:
        hidden = write(new_request(self.p, self.p.committee), author(self.p.branch2_members[0], "h"), OWN[1])
        client = APIClient()
        client.force_authenticate(self.p.branch1_manager)
        for pk in (hidden.pk, 10**9):
            response = client.get(reverse("essayversion-list"), {"essay": pk})
            self.assertEqual((response.status_code, response.data["results"]), (200, []))


class AllowListExtensionTest(PersonaTestCase):
    def test_a_passage_extended_across_an_allowed_formulation_does_not_count_it(self) -> None:
        from essays.index import Index
        from essays.originality import formulation_hashes

        motto = "坚持把学习贯彻党的创新理论作为首要政治任务深刻领悟两个确立的决定性意义增强四个意识"
        copied = OWN[1][:40]
        index = Index.build([(1, OWN[2] + motto + copied + OWN[2])])
        essay = OWN[3] + motto + copied + OWN[0]
        with_list = index.check(essay, ignore=formulation_hashes(motto))
        without = index.check(essay)
        self.assertGreater(without.copied, with_list.copied + 30, "the formulation is not counted as copied")
        self.assertLessEqual(with_list.copied, len(copied) + 2)


class MyEssaysTest(PersonaTestCase):
    def test_a_manager_who_is_a_member_sees_only_the_requests_addressed_to_them(self) -> None:
        own = new_request(self.p, self.p.committee, title="给全体党员的布置")
        other = new_request(self.p, self.p.branch1, title="指定他人的布置", audience=EssayAudience.MEMBERS,
                            members=[self.p.branch1_members[1]])
        secretary = self.p.branch1_members[2]
        user = self.p.branch1_manager
        from orgs.models import Member

        Member.objects.filter(pk=secretary.pk).update(user=user)
        self.client.force_login(user)
        page = self.client.get(reverse("essays:mine"))
        self.assertContains(page, own.title)
        self.assertNotContains(page, other.title)


class LinkedActivityTest(PersonaTestCase):
    """The committee asks everybody for an essay on an activity of branch2 only."""

    def setUp(self) -> None:
        self.activity = new_activity(self.p, self.p.branch2, 77)  # "学习活动77", for branch2's subtree
        self.request = new_request(self.p, self.p.committee, title="委员会布置", activity=self.activity)

    def test_the_request_page_shows_the_activity_only_to_those_who_may_open_it(self) -> None:
        url = reverse("essays:request_detail", args=[self.request.pk])
        for user in (self.p.branch1_manager, self.p.member_user, self.p.inspector):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.activity.get_absolute_url()).status_code, 404)
            page = self.client.get(url)
            self.assertContains(page, "委员会布置")
            for hidden in (self.activity.title, self.activity.get_absolute_url(), "关联学习活动"):
                self.assertNotContains(page, hidden)
        for user in (self.p.branch2_manager, self.p.committee_manager):
            self.client.force_login(user)
            page = self.client.get(url)
            self.assertContains(page, self.activity.title)
            self.assertContains(page, f'href="{self.activity.get_absolute_url()}"')

    def test_the_api_and_its_filter_treat_a_hidden_activity_as_none(self) -> None:
        client = APIClient()
        detail = reverse("essayrequest-detail", args=[self.request.pk])
        listing = reverse("essayrequest-list")
        for user in (self.p.branch1_manager, self.p.member_user):
            client.force_authenticate(user)
            self.assertIsNone(client.get(detail).data["activity"])
            rows = {r["id"]: r for r in client.get(listing).data["results"]}
            self.assertIsNone(rows[self.request.pk]["activity"])
            for pk in (self.activity.pk, 10**9):  # a hidden activity filters like a missing one
                self.assertEqual(client.get(listing, {"activity": pk}).data["results"], [])
        client.force_authenticate(self.p.branch2_manager)
        self.assertEqual(client.get(detail).data["activity"], self.activity.pk)
        self.assertEqual([r["id"] for r in client.get(listing, {"activity": self.activity.pk}).data["results"]],
                         [self.request.pk])

    def test_the_activities_of_a_whole_page_are_checked_at_once(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = APIClient()
        client.force_authenticate(self.p.branch1_manager)
        listing = reverse("essayrequest-list")
        client.get(listing)  # the first request also fills the scope caches
        counts, expected = [], {}
        for n, first in ((2, 0), (6, 10)):
            for i in range(first, first + n):
                # Odd ones are branch1's (shown to its manager), even ones branch2's (hidden).
                activity = new_activity(self.p, self.p.branch1 if i % 2 else self.p.branch2, 100 + i)
                new_request(self.p, self.p.committee, title=f"关联{i}", activity=activity)
                expected[f"关联{i}"] = bool(i % 2)
            with CaptureQueriesContext(connection) as captured:
                rows = client.get(listing, {"page_size": 50}).data["results"]
            counts.append(len(captured))
            self.assertEqual({r["title"]: r["activity"] is not None for r in rows if r["title"].startswith("关联")},
                             expected)
        self.assertEqual(counts[0], counts[1])


class CorpusServiceTest(PersonaTestCase):
    """Loading and removing reference documents: administrators only, checked inside the transaction."""

    def test_a_non_administrator_calling_save_document_is_refused_and_nothing_is_written(self) -> None:
        from django.core.exceptions import PermissionDenied

        from core.models import ObjectChange

        text = "".join(SENTENCES)
        for user in (self.p.committee_manager, self.p.branch1_manager, self.p.member_user, self.p.outsider, None):
            with self.assertRaises(PermissionDenied):
                corpus.save_document("越权载入", "", text, acting_user=user)
        self.assertFalse(ReferenceDocument.objects.exists())
        self.assertFalse(ObjectChange.objects.filter(object_repr="越权载入").exists())
        doc, created = corpus.save_document("载入", "", text, acting_user=self.p.admin)
        self.assertTrue(created)
        self.assertEqual(ObjectChange.objects.get(object_repr="载入").user, self.p.admin)

    def test_a_non_administrator_calling_delete_document_is_refused_and_nothing_is_removed(self) -> None:
        from django.core.exceptions import PermissionDenied

        from core.models import ObjectChange

        doc, _created = corpus.save_document("载入", "", "".join(SENTENCES), acting_user=self.p.admin)
        with self.assertRaises(PermissionDenied):
            corpus.delete_document(doc, acting_user=self.p.committee_manager)
        self.assertTrue(ReferenceDocument.objects.filter(pk=doc.pk).exists())
        self.assertFalse(ObjectChange.objects.filter(object_repr="载入", action="delete").exists())
        corpus.delete_document(doc, acting_user=self.p.admin)
        self.assertFalse(ReferenceDocument.objects.filter(pk=doc.pk).exists())

    def test_the_permission_is_checked_inside_the_services_transaction(self) -> None:
        from unittest import mock

        from django.db import connection

        from core import services as core

        doc, _created = corpus.save_document("载入", "", "".join(SENTENCES), acting_user=self.p.admin)
        depths: list[int] = []
        real = core.require_admin

        def spy(user: object) -> None:
            depths.append(len(connection.atomic_blocks))
            real(user)

        outside = len(connection.atomic_blocks)
        with mock.patch.object(core, "require_admin", spy):
            corpus.save_document("再载入", "", OWN[0] * 3, acting_user=self.p.admin)
            corpus.delete_document(doc, acting_user=self.p.admin)
        self.assertEqual(len(depths), 2)
        self.assertTrue(all(depth > outside for depth in depths), (outside, depths))
