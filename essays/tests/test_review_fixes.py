"""Pinned fixes from a review of the essays app's scoping."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from core.scoping import forget_scopes
from core.testing.views import PersonaTestCase
from essays import corpus
from essays.choices import EssayAudience
from essays.models import Essay, EssayRequest
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
        doc, _created = corpus.save_document("t", "javascript:alert(1)", "".join(SENTENCES))
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
        other = new_request(self.p, self.p.branch1, title="指定他人的布置", audience=EssayAudience.MEMBERS)
        other.audience_members.set([self.p.branch1_members[1]])
        secretary = self.p.branch1_members[2]
        user = self.p.branch1_manager
        from orgs.models import Member

        Member.objects.filter(pk=secretary.pk).update(user=user)
        self.client.force_login(user)
        page = self.client.get(reverse("essays:mine"))
        self.assertContains(page, own.title)
        self.assertNotContains(page, other.title)
