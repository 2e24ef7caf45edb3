"""Essay pages: scoping of every list, detail, export and report; writing, uploading, reviewing in the browser's
requests."""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import Any

import docx
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.testing.personas import Personas
from core.testing.views import PersonaTestCase, ViewTestCases
from essays.choices import EssayStatus
from essays.models import Essay, EssayRequest, EssayVersion, Formulation
from essays.tests.helpers import OWN, author, essay_text, new_request, write


class EssayRequestViewTest(ViewTestCases.PrimaryObjectViewTestCase):
    model = EssayRequest
    url_prefix = "essays:request"
    list_queries = 7

    @classmethod
    def make_object(cls, p: Personas, org: Any, n: int) -> EssayRequest:
        return new_request(p, org, title=f"心得体会布置{n}")

    def update_data(self) -> dict[str, Any]:
        return {"title": "改过的题目", "min_length": 600}


class EssayViewTest(ViewTestCases.DetailViewTestCase, ViewTestCases.ListViewTestCase,
                    ViewTestCases.HistoryViewTestCase):
    model = Essay
    url_prefix = "essays:essay"
    list_queries = 7

    @classmethod
    def make_object(cls, p: Personas, org: Any, n: int) -> Essay:
        request = new_request(p, p.committee, title=f"布置{n}")
        member = p.member if org == p.branch1 else p.branch2_members[0]
        return write(request, author(member, f"author{n}"), essay_text(n % 4), title=f"我的体会{n}")


class WritingPagesTest(PersonaTestCase):
    def setUp(self) -> None:
        self.request = new_request(self.p, self.p.committee, min_length=100)
        self.client.force_login(self.p.member_user)

    def start(self) -> Essay:
        response = self.client.post(reverse("essays:essay_start", args=[self.request.pk]))
        essay = Essay.objects.get(request=self.request, member=self.p.member)
        self.assertRedirects(response, reverse("essays:essay_write", args=[essay.pk]))
        return essay

    def test_a_member_sees_the_request_writes_saves_and_submits(self) -> None:
        self.assertContains(self.client.get(reverse("essays:mine")), self.request.title)
        self.assertContains(self.client.get(self.request.get_absolute_url()), "start-essay")
        essay = self.start()
        url = reverse("essays:essay_write", args=[essay.pk])
        response = self.client.post(url, {"title": "体会", "text": OWN[0][:40]}, headers={"X-Autosave": "1"})
        self.assertEqual(response.json()["saved"], True)
        self.assertEqual(Essay.objects.get(pk=essay.pk).text, OWN[0][:40])
        response = self.client.post(url, {"title": "体会", "text": OWN[0][:40], "action": "submit"})
        self.assertContains(response, "少于要求的100字", status_code=400)
        self.assertFalse(EssayVersion.objects.exists())
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url, {"title": "体会", "text": OWN[0] + OWN[1], "action": "submit"})
        self.assertRedirects(response, essay.get_absolute_url())
        page = self.client.get(essay.get_absolute_url())
        self.assertContains(page, "100.0%")
        self.assertNotContains(page, "review-form")

    def test_another_members_editor_is_404(self) -> None:
        other = write(self.request, author(self.p.branch1_members[1], "other1"), OWN[2])
        self.assertEqual(self.client.get(reverse("essays:essay_write", args=[other.pk])).status_code, 404)
        self.client.force_login(self.p.branch1_manager)
        self.assertEqual(self.client.post(reverse("essays:essay_write", args=[other.pk]),
                                          {"text": "改掉"}).status_code, 404)
        self.assertEqual(Essay.objects.get(pk=other.pk).text, OWN[2])

    def upload(self, essay: Essay, name: str, content: bytes) -> Any:
        return self.client.post(reverse("essays:essay_write", args=[essay.pk]),
                                {"title": "上传", "upload": SimpleUploadedFile(name, content)})

    def test_upload_a_docx_or_a_txt_into_the_editor(self) -> None:
        essay = self.start()
        document = docx.Document()
        for paragraph in (OWN[0], OWN[1]):
            document.add_paragraph(paragraph)
        buffer = io.BytesIO()
        document.save(buffer)
        self.assertEqual(self.upload(essay, "体会.docx", buffer.getvalue()).status_code, 302)
        self.assertEqual(Essay.objects.get(pk=essay.pk).text, OWN[0] + "\n" + OWN[1])
        self.assertEqual(self.upload(essay, "a.txt", OWN[2].encode("gb18030")).status_code, 302)
        self.assertEqual(Essay.objects.get(pk=essay.pk).text, OWN[2])

    def test_bad_uploads_are_refused_and_the_draft_is_kept(self) -> None:
        essay = self.start()
        self.client.post(reverse("essays:essay_write", args=[essay.pk]), {"title": "t", "text": OWN[3]})
        png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document>" + " " * 30_000_000 + "</w:document>")
        cases = [("photo.docx", png, "不是有效的 Word 文档"), ("bomb.docx", bomb.getvalue(), "压缩炸弹"),
                 ("old.doc", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "另存为 .docx"), ("x.pdf", b"%PDF-1.4", "只能上传")]
        for name, content, message in cases:
            response = self.upload(essay, name, content)
            self.assertContains(response, message, status_code=400, msg_prefix=name)
            self.assertEqual(Essay.objects.get(pk=essay.pk).text, OWN[3], name)
            # The editor shows the draft again (an empty box would be saved over it by the next autosave).
            self.assertEqual(response.context["form"]["text"].value(), OWN[3], name)
        self.assertLess(len(bomb.getvalue()), 200_000, "the bomb is small when packed")


class ReviewPagesTest(PersonaTestCase):
    def setUp(self) -> None:
        self.request = new_request(self.p, self.p.committee)
        self.source = write(self.request, author(self.p.branch2_members[0], "author2"), essay_text(1))
        self.essay = write(self.request, self.p.member_user, OWN[0] + OWN[1] + OWN[2])
        self.version = self.essay.versions.get()

    def test_the_branch_manager_sees_the_copy_but_not_the_sibling_source_and_returns_it(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get(self.essay.get_absolute_url())
        self.assertContains(page, "其他组织的一篇心得体会")
        self.assertContains(page, "review-form")
        self.assertNotContains(page, self.p.branch2_members[0].name)
        self.assertNotContains(page, reverse("essays:essay_detail", args=[self.source.pk]))
        response = self.client.post(reverse("essays:essay_review", args=[self.version.pk]),
                                    {"decision": "returned", "comment": "抄袭，重写"})
        self.assertRedirects(response, self.essay.get_absolute_url())
        self.assertEqual(Essay.objects.get(pk=self.essay.pk).status, EssayStatus.RETURNED)
        # The member sees the comment in the editor and may revise.
        self.client.force_login(self.p.member_user)
        self.assertContains(self.client.get(reverse("essays:essay_write", args=[self.essay.pk])), "抄袭，重写")
        detail = self.client.get(self.essay.get_absolute_url()).content.decode()
        self.assertIn('id="returned-comment"', detail)  # at the top, before the text
        self.assertLess(detail.index("抄袭，重写"), detail.index(OWN[0][:10]))

    def test_the_committee_sees_the_source_side_by_side(self) -> None:
        self.client.force_login(self.p.committee_manager)
        page = self.client.get(self.essay.get_absolute_url())
        self.assertContains(page, self.p.branch2_members[0].name)
        self.assertContains(page, reverse("essays:essay_detail", args=[self.source.pk]))
        self.assertContains(page, 'class="bg-info-subtle"')

    def test_the_sibling_cannot_review_and_the_inspector_may_not(self) -> None:
        self.client.force_login(self.p.branch2_manager)
        url = reverse("essays:essay_review", args=[self.version.pk])
        self.assertEqual(self.client.post(url, {"decision": "approved"}).status_code, 404)
        self.client.force_login(self.p.inspector)
        self.assertEqual(self.client.post(url, {"decision": "approved"}).status_code, 403)
        self.assertEqual(EssayVersion.objects.get(pk=self.version.pk).decision, "")

    def test_the_organization_page_is_scoped(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get(reverse("essays:org_essays", args=[self.p.branch1.pk]))
        self.assertContains(page, self.essay.get_absolute_url())
        self.assertNotContains(page, self.source.get_absolute_url())
        self.assertEqual(self.client.get(reverse("essays:org_essays", args=[self.p.branch2.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("essays:org_essays", args=[self.p.committee.pk])).status_code, 404)
        self.client.force_login(self.p.committee_manager)
        page = self.client.get(reverse("essays:org_essays", args=[self.p.committee.pk]))
        self.assertContains(page, self.p.branch1.name)
        self.assertContains(page, self.p.branch2.name)
        self.client.force_login(self.p.member_user)
        self.assertEqual(self.client.get(reverse("essays:org_essays", args=[self.p.branch1.pk])).status_code, 404)

    def test_the_request_page_shows_the_distribution_to_managers_only(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get(self.request.get_absolute_url())
        self.assertContains(page, "提交与原创度")
        self.assertContains(page, self.essay.get_absolute_url())
        self.assertNotContains(page, self.source.get_absolute_url())
        self.client.force_login(self.p.member_user)
        page = self.client.get(self.request.get_absolute_url())
        self.assertNotContains(page, "提交与原创度")


class CorpusPageTest(PersonaTestCase):
    def test_only_an_administrator_keeps_the_allow_list(self) -> None:
        url = reverse("essays:corpus")
        self.client.force_login(self.p.committee_manager)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.post(url, {"text": "不忘初心、牢记使命"}).status_code, 403)
        self.client.force_login(self.p.admin)
        self.assertEqual(self.client.post(url, {"text": "不忘初心、牢记使命"}).status_code, 302)
        formulation = Formulation.objects.get()
        self.assertContains(self.client.get(url), "不忘初心、牢记使命")
        self.client.force_login(self.p.committee_manager)
        delete = reverse("essays:formulation_delete", args=[formulation.pk])
        self.assertEqual(self.client.post(delete).status_code, 403)
        self.client.force_login(self.p.admin)
        self.client.post(delete)
        self.assertFalse(Formulation.objects.exists())


class DeadlineTest(PersonaTestCase):
    def test_a_late_essay_may_still_be_submitted(self) -> None:
        request = new_request(self.p, self.p.committee, deadline=datetime.date(2020, 1, 1))
        essay = write(request, self.p.member_user, OWN[0])
        self.assertEqual(essay.status, EssayStatus.SUBMITTED)


class RequestFormDeadlineTest(PersonaTestCase):
    def test_a_new_request_cannot_be_due_already(self) -> None:
        import datetime

        from django.urls import reverse

        from essays.models import EssayRequest

        self.client.force_login(self.p.branch1_manager)
        response = self.client.post(reverse("essays:request_add"), {
            "title": "学习心得", "org": str(self.p.branch1.pk), "deadline": "2020-01-01", "min_length": "300",
            "audience": "subtree"})
        self.assertContains(response, "截止日期不能早于今天")
        self.assertFalse(EssayRequest.objects.filter(title="学习心得").exists())
        tomorrow = datetime.date.today() + datetime.timedelta(days=1)
        response = self.client.post(reverse("essays:request_add"), {
            "title": "学习心得", "org": str(self.p.branch1.pk), "deadline": f"{tomorrow}", "min_length": "300",
            "audience": "subtree"})
        self.assertEqual(response.status_code, 302)

    def test_a_request_names_who_writes(self) -> None:
        import datetime

        from django.urls import reverse

        from essays.models import EssayRequest

        self.client.force_login(self.p.branch1_manager)
        tomorrow = datetime.date.today() + datetime.timedelta(days=1)
        base = {"title": "无人可写", "org": str(self.p.branch1.pk), "deadline": f"{tomorrow}", "min_length": "300"}
        nobody = self.client.post(reverse("essays:request_add"), {**base, "audience": "members", "member_ids": ""})
        self.assertContains(nobody, "撰写对象为“指定党员”时，请填写指定的党员")
        no_activity = self.client.post(reverse("essays:request_add"), {**base, "audience": "attendees"})
        self.assertContains(no_activity, "撰写对象为“学习活动的参加人员”时，请选择关联的学习活动")
        self.assertFalse(EssayRequest.objects.filter(title="无人可写").exists())
