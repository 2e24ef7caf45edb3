from __future__ import annotations

from typing import ClassVar

from django.urls import reverse

from core.choices import TaskStatus
from core.models import Task
from core.testing.api import APITestCase


class ImportJobAPITest(APITestCase):
    mine: ClassVar[Task]
    failed: ClassVar[Task]
    theirs: ClassVar[Task]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.mine = Task.objects.create(
            kind="orgs.import_members", title="导入党员", user=cls.p.branch1_manager, status=TaskStatus.RUNNING,
            progress_done=25, progress_total=100, progress_message="第25行",
        )
        cls.failed = Task.objects.create(
            kind="orgs.import_members", title="导入失败", user=cls.p.branch1_manager, status=TaskStatus.FAILED,
            error="第3行：身份证号校验码错误\n\nTraceback (most recent call last): ...",
        )
        cls.theirs = Task.objects.create(kind="orgs.import_members", title="别人的导入", user=cls.p.branch2_manager)

    def test_user_sees_their_own_jobs_with_progress(self) -> None:
        self.login(self.p.branch1_manager)
        response = self.client.get(reverse("import-job-list"))
        self.assertEqual(self.ids(response), {str(self.mine.pk), str(self.failed.pk)})
        data = self.client.get(reverse("import-job-detail", args=[self.mine.pk])).data
        self.assertEqual(data["status"], TaskStatus.RUNNING)
        self.assertEqual(data["percent"], 25)
        self.assertEqual(data["progress"], {"done": 25, "total": 100, "message": "第25行"})

    def test_error_is_shown_without_the_traceback(self) -> None:
        self.login(self.p.branch1_manager)
        data = self.client.get(reverse("import-job-detail", args=[self.failed.pk])).data
        self.assertEqual(data["error"], "第3行：身份证号校验码错误")

    def test_other_users_jobs_are_not_found(self) -> None:
        self.login(self.p.branch1_manager)
        self.assertEqual(self.client.get(reverse("import-job-detail", args=[self.theirs.pk])).status_code, 404)

    def test_administrator_sees_every_job(self) -> None:
        self.login(self.p.admin)
        self.assertEqual(len(self.ids(self.client.get(reverse("import-job-list")))), 3)

    def test_filter_by_status(self) -> None:
        self.login(self.p.branch1_manager)
        response = self.client.get(reverse("import-job-list"), {"status": TaskStatus.FAILED})
        self.assertEqual(self.ids(response), {str(self.failed.pk)})

    def test_anonymous_is_unauthorized(self) -> None:
        self.assertIn(self.client.get(reverse("import-job-list")).status_code, (401, 403))
