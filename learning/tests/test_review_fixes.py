"""Holes found in review, each pinned: scope of compliance, moving an activity, uploads, hours to and from
zero, the audience in the change log, masked ID numbers in the form, certificate numbers in imports."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

import openpyxl
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from core.imports.engine import import_file
from core.models import ObjectChange
from core.testing.views import PersonaTestCase
from learning import services
from learning.choices import Audience
from learning.models import ActivityMaterial, Attendance, MemberYear, StudyRecord
from learning.resources import StudyRecordResource
from learning.tests.helpers import new_activity


class ComplianceScopeTest(PersonaTestCase):
    def test_a_member_reads_only_their_own_standing_never_the_branch_list(self) -> None:
        self.client.force_login(self.p.member_user)
        url = reverse("learning:compliance", args=[self.p.branch1.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.get(url, {"export": "csv"}).status_code, 404)
        api = APIClient()
        api.force_authenticate(self.p.member_user)
        self.assertEqual(api.get(reverse("compliance-list")).status_code, 400)
        self.assertEqual(api.get(reverse("compliance-list"), {"org": self.p.branch1.pk}).status_code, 404)
        self.assertEqual(self.client.get(reverse("learning:my_study")).status_code, 200)


class MovingAnActivityTest(PersonaTestCase):
    def test_named_members_must_lie_under_the_new_organizer(self) -> None:
        from django.core.exceptions import ValidationError

        activity = new_activity(self.p, self.p.committee, 1, audience=Audience.MEMBERS,
                                audience_members=self.p.branch1_members[:2])
        with self.assertRaises(ValidationError):
            services.update_activity(activity, acting_user=self.p.committee_manager, changes={"org": self.p.branch2})
        api = APIClient()
        api.force_authenticate(self.p.committee_manager)
        response = api.patch(reverse("activity-detail", args=[activity.pk]), {"org": self.p.branch2.pk}, format="json")
        self.assertEqual(response.status_code, 400)

    def test_deleting_an_activity_logs_and_removes_its_materials_once_committed(self) -> None:
        import tempfile
        from pathlib import Path

        from django.contrib.contenttypes.models import ContentType
        from django.test import override_settings

        from core.models import ObjectChange

        media = Path(tempfile.mkdtemp(prefix="chuxin-materials-"))
        with override_settings(MEDIA_ROOT=media):
            activity = new_activity(self.p, self.p.branch1, 1)
            material = services.add_material(ActivityMaterial(activity=activity, title="讲稿",
                                                              file=SimpleUploadedFile("a.txt", b"x")),
                                             acting_user=self.p.branch1_manager)
            stored = media / material.file.name
            self.assertTrue(stored.exists())
            with self.captureOnCommitCallbacks(execute=False) as pending:
                services.delete_activity(activity, acting_user=self.p.branch1_manager, message="重复录入")
            self.assertTrue(stored.exists())  # not before the deletion is committed
            for callback in pending:
                callback()
            self.assertFalse(stored.exists())
        logged = ObjectChange.objects.get(content_type=ContentType.objects.get_for_model(ActivityMaterial),
                                          object_id=material.pk, action="delete")
        self.assertEqual((logged.related_object_id, logged.message, logged.org_path),
                         (activity.pk, "重复录入", self.p.branch1.path))
        self.assertFalse(ObjectChange.objects.filter(pk=logged.pk).restrict(self.p.branch2_manager).exists())

    def test_files_and_attendance_follow_the_activity(self) -> None:
        activity = new_activity(self.p, self.p.committee, 1)
        services.add_material(ActivityMaterial(activity=activity, title="讲稿",
                                               file=SimpleUploadedFile("a.txt", b"x")), acting_user=self.p.admin)
        services.record_attendance(activity, [services.Entry(self.p.branch2_members[0], "present")],
                                   acting_user=self.p.committee_manager)
        services.update_activity(activity, acting_user=self.p.committee_manager, changes={"org": self.p.branch2})
        self.assertEqual(ActivityMaterial.objects.get().org_path, self.p.branch2.path)
        self.assertEqual(Attendance.objects.get().activity_org_path, self.p.branch2.path)


class UploadTest(PersonaTestCase):
    def test_those_who_may_not_change_the_activity_leave_no_file(self) -> None:
        activity = new_activity(self.p, self.p.branch1, 1)
        media = Path(settings.MEDIA_ROOT) / "learning" / "materials" / str(activity.pk)
        for user in (self.p.inspector, self.p.member_user):
            self.client.force_login(user)
            upload = SimpleUploadedFile("refused-upload.pdf", b"%PDF-1.4", content_type="application/pdf")
            response = self.client.post(reverse("learning:material_add", args=[activity.pk]), {"file": upload})
            self.assertEqual(response.status_code, 403)
        self.assertEqual(list(media.glob("refused-upload*")) if media.exists() else [], [])


class HoursToAndFromZeroTest(PersonaTestCase):
    def test_an_activity_set_to_zero_hours_and_back(self) -> None:
        activity = new_activity(self.p, self.p.branch1, 1, start=9, end=13)
        member = self.p.branch1_members[0]
        services.record_attendance(activity, [services.Entry(member, "present")], acting_user=self.p.branch1_manager)
        services.update_activity(activity, acting_user=self.p.branch1_manager, changes={"hours": Decimal(0)})
        self.assertFalse(StudyRecord.objects.filter(member=member).exists())
        self.assertEqual(MemberYear.objects.get(member=member).counted, Decimal(0))
        services.update_activity(activity, acting_user=self.p.branch1_manager, changes={"hours": Decimal(3)})
        self.assertEqual(StudyRecord.objects.get(member=member).hours, Decimal(3))
        self.assertEqual(MemberYear.objects.get(member=member).counted, Decimal(3))


class ActivityLogTest(PersonaTestCase):
    def test_the_audience_is_logged_and_the_sign_in_code_is_not(self) -> None:
        activity = new_activity(self.p, self.p.branch1, 1, audience=Audience.MEMBERS, sign_in_code="9753",
                                audience_members=self.p.branch1_members[:2])
        services.update_activity(activity, acting_user=self.p.branch1_manager,
                                 changes={"audience_members": self.p.branch1_members[:1]})
        changes = ObjectChange.objects.filter(content_type__model="activity", object_id=activity.pk)
        logged = [c for c in changes if (c.postchange_data or {}).get("audience_members")]
        self.assertEqual((logged[0].postchange_data or {})["audience_members"], [self.p.branch1_members[0].pk])
        self.assertFalse(any("9753" in str(c.postchange_data) for c in changes))

    def test_saving_the_form_unchanged_logs_no_change_of_times(self) -> None:
        activity = new_activity(self.p, self.p.branch1, 1)
        self.client.force_login(self.p.branch1_manager)
        form = self.client.get(reverse("learning:activity_edit", args=[activity.pk])).context["form"]
        data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
        for name in ("start", "end"):
            data[name] = f"{form[name].value():%Y-%m-%dT%H:%M}"
        data["changelog_message"] = "无修改"
        self.client.post(reverse("learning:activity_edit", args=[activity.pk]), data)
        updates = ObjectChange.objects.filter(content_type__model="activity", object_id=activity.pk, action="update")
        self.assertFalse(updates.exists(), [(u.prechange_data, u.postchange_data) for u in updates])

    def test_the_edit_form_shows_named_members_masked(self) -> None:
        member = self.p.branch1_members[1]
        activity = new_activity(self.p, self.p.branch1, 1, audience=Audience.MEMBERS, audience_members=[member])
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get(reverse("learning:activity_edit", args=[activity.pk])).content.decode()
        self.assertNotIn(member.id_number, page)
        self.assertIn(member.id_number_masked, page)


class CertificateNumberTest(PersonaTestCase):
    def test_a_repeated_certificate_number_creates_rather_than_overwrites(self) -> None:
        member_a, member_b = self.p.branch1_members[:2]
        path = Path(tempfile.mkdtemp()) / "hours.xlsx"
        book = openpyxl.Workbook()
        book.active.append(StudyRecordResource.headers())
        for member, title in ((member_a, "网络课程甲"), (member_b, "网络课程乙")):
            book.active.append(["", member.id_number, title, "2026-03-01", 2, "网络学习", "平台", "SHARED-9"])
        book.save(path)
        result = import_file(StudyRecordResource(self.p.branch1_manager), path)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(result.counts["create"], 2)
        self.assertEqual(StudyRecord.objects.filter(reference="SHARED-9").count(), 2)
