"""The essays API: the generic suites for requests, essays and versions; writing, submitting, reviewing,
results with scoped sources; the corpus and the allow-list for administrators only."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse

from core.models import ObjectChange
from core.testing.api import APITestCase, APIViewTestCases
from core.testing.personas import Personas
from essays.choices import EssayStatus
from essays.models import Essay, EssayRequest, EssayVersion, Formulation, ReferenceDocument
from essays.tests.helpers import OWN, SENTENCES, author, essay_text, new_request, write
from orgs.models import Organization


class EssayRequestAPITest(APIViewTestCases.APIViewTestCase):
    model = EssayRequest
    basename = "essayrequest"
    list_queries = 4

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> EssayRequest:
        return new_request(p, org, title=f"布置{n}")

    def create_data(self) -> dict[str, Any]:
        return {"org": self.p.branch1.pk, "title": "学习心得", "deadline": str(datetime.date.today()),
                "min_length": 500, "audience": "subtree"}

    def update_data(self) -> dict[str, Any]:
        return {"min_length": 1000}

    def test_a_new_request_cannot_be_due_already(self) -> None:
        self.login(self.p.branch1_manager)
        past = {**self.create_data(), "deadline": "2020-01-01", "title": "已过期的布置"}
        response = self.client.post("/api/essays/requests/", past, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.data["deadline"], ["截止日期不能早于今天"])
        self.assertFalse(EssayRequest.objects.filter(title="已过期的布置").exists())


class EssayAPITest(APIViewTestCases.GetObjectViewTestCase, APIViewTestCases.ListObjectsViewTestCase):
    model = Essay
    basename = "essay"
    list_queries = 3

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> Essay:
        request = new_request(p, p.committee, title=f"布置{n}")
        member = p.member if org == p.branch1 else p.branch2_members[0]
        return write(request, author(member, f"api{n}"), essay_text(n % 4))


class EssayVersionAPITest(APIViewTestCases.GetObjectViewTestCase, APIViewTestCases.ListObjectsViewTestCase):
    model = EssayVersion
    basename = "essayversion"
    list_queries = 3

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> EssayVersion:
        return EssayAPITest.make_object(p, org, n).versions.get()


class WorkflowAPITest(APITestCase):
    def url(self, basename: str, action: str, pk: Any) -> str:
        return reverse(f"{basename}-{action}", args=[pk])

    def test_start_draft_submit_result_review(self) -> None:
        request = new_request(self.p, self.p.committee, min_length=60)
        source = write(request, author(self.p.branch2_members[0], "src"), essay_text(1))
        self.login(self.p.member_user)
        response = self.client.post(self.url("essayrequest", "start", request.pk))
        self.assertEqual(response.status_code, 201, response.data)
        essay_id = response.data["id"]
        response = self.client.post(self.url("essay", "draft", essay_id), {"title": "体会", "text": "太短"},
                                    format="json")
        self.assertEqual((response.status_code, response.data["text"]), (200, "太短"))
        response = self.client.post(self.url("essay", "submit", essay_id), {}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("少于要求", str(response.data))
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url("essay", "submit", essay_id),
                                        {"text": OWN[0] + OWN[1] + OWN[2]}, format="json")
        self.assertEqual(response.status_code, 201, response.data)
        result = self.client.get(self.url("essay", "result", essay_id)).data
        self.assertLess(result["originality"], 90)
        self.assertEqual({p["source"]["visible"] for p in result["passages"]}, {False})
        self.assertNotIn(self.p.branch2_members[0].name, str(result))
        # The member may not review; the sibling's manager cannot even see it; the committee sees the source.
        self.assertEqual(self.client.post(self.url("essay", "review", essay_id), {"decision": "approved"},
                                          format="json").status_code, 403)
        self.login(self.p.branch2_manager)
        self.assertEqual(self.client.get(self.url("essay", "result", essay_id)).status_code, 404)
        self.assertEqual(self.client.post(self.url("essay", "review", essay_id), {"decision": "approved"},
                                          format="json").status_code, 404)
        self.login(self.p.committee_manager)
        result = self.client.get(self.url("essay", "result", essay_id)).data
        self.assertEqual({p["source"]["id"] for p in result["passages"]}, {source.pk})
        response = self.client.post(self.url("essay", "review", essay_id), {"decision": "returned"}, format="json")
        self.assertEqual(response.status_code, 400)
        response = self.client.post(self.url("essay", "review", essay_id),
                                    {"decision": "returned", "comment": "请重写"}, format="json")
        self.assertEqual((response.status_code, response.data["decision"]), (200, "returned"))
        self.assertEqual(Essay.objects.get(pk=essay_id).status, EssayStatus.RETURNED)

    def test_another_members_essay_cannot_be_written(self) -> None:
        request = new_request(self.p, self.p.committee)
        other = write(request, author(self.p.branch1_members[1], "other"), OWN[2])
        self.login(self.p.member_user)
        self.assertEqual(self.client.post(self.url("essay", "draft", other.pk), {"text": "x"},
                                          format="json").status_code, 404)
        self.login(self.p.branch1_manager)
        self.assertEqual(self.client.post(self.url("essay", "draft", other.pk), {"text": "x"},
                                          format="json").status_code, 404)
        self.assertEqual(Essay.objects.get(pk=other.pk).text, OWN[2])


class RequestListQueriesTest(APITestCase):
    def test_named_members_are_filtered_for_a_whole_page_at_once(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from essays.choices import EssayAudience

        def requests(n: int, first: int) -> None:
            for i in range(n):
                new_request(self.p, self.p.committee, title=f"点名{first + i}", audience=EssayAudience.MEMBERS,
                            members=[self.p.branch1_members[0], self.p.branch2_members[0]])

        self.login(self.p.branch1_manager)
        self.client.get("/api/essays/requests/")  # the first request also fills the scope caches
        counts = []
        for n, first in ((2, 0), (6, 10)):
            requests(n, first)
            with CaptureQueriesContext(connection) as captured:
                response = self.client.get("/api/essays/requests/", {"page_size": 50})
            counts.append(len(captured))
            named = [r["audience_members"] for r in response.data["results"] if r["title"].startswith("点名")]
            self.assertTrue(named and all(m == [self.p.branch1_members[0].pk] for m in named), named)
        self.assertEqual(counts[0], counts[1])


class CorpusAPITest(APITestCase):
    def test_administrators_load_documents_and_formulations_others_read_or_nothing(self) -> None:
        corpus = reverse("referencedocument-list")
        formulations = reverse("formulation-list")
        document = {"title": "支部工作条例", "source_url": "https://example.org/t", "text": "".join(SENTENCES)}
        self.login(self.p.committee_manager)
        self.assertEqual(self.client.post(corpus, document, format="json").status_code, 403)
        self.assertEqual(self.client.post(formulations, {"text": "不忘初心"}, format="json").status_code, 403)
        self.login(self.p.admin)
        self.assertEqual(self.client.post(corpus, document, format="json").status_code, 201)
        self.assertEqual(self.client.post(corpus, document | {"text": "太短"}, format="json").status_code, 400)
        self.assertEqual(self.client.post(formulations, {"text": "不忘初心"}, format="json").status_code, 201)
        self.assertEqual(ReferenceDocument.objects.count(), 1)
        self.assertTrue(ObjectChange.objects.filter(content_type__model="referencedocument").exists())
        self.login(self.p.inspector)
        self.assertEqual(len(self.results(self.client.get(corpus))), 1)
        self.assertEqual(len(self.results(self.client.get(formulations))), 1)
        self.login(self.p.member_user)
        self.assertEqual(self.results(self.client.get(corpus)), [])
        self.login(self.p.admin)
        doc = ReferenceDocument.objects.get()
        self.assertEqual(self.client.delete(reverse("referencedocument-detail", args=[doc.pk])).status_code, 204)
        self.assertEqual(self.client.delete(reverse("formulation-detail",
                                                    args=[Formulation.objects.get().pk])).status_code, 204)
