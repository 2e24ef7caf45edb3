"""Wrong sign-in codes: each one kept, a limit from the rule table, then only the organizer records the
member; the page and the API refuse alike, and the organizer's roll shows the wrong codes."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import Rule
from core.rules import clear_cache
from core.testing.api import APITestCase
from core.testing.views import PersonaTestCase
from learning import services
from learning.choices import AttendanceStatus
from learning.models import Activity, Attendance, SignInFailure
from learning.tests.helpers import at, new_activity, open_now

KEY = "learning.sign_in.max_wrong_codes"
LOCKED = "不能再自助签到"


class WrongCodeLimitTest(PersonaTestCase):
    def setUp(self) -> None:
        clear_cache()
        self.addCleanup(clear_cache)
        self.today = timezone.localdate()
        self.activity = new_activity(self.p, self.p.branch1, day=self.today, start=9, end=12, sign_in_code="8421")
        self.during = at(self.today, 10)

    def sign_in(self, code: str, *, user: object = None, activity: Activity | None = None) -> Attendance:
        return services.sign_in(activity or self.activity, acting_user=user or self.p.member_user, code=code,
                                now=self.during)

    def use_up(self, n: int = 5) -> None:
        for i in range(n):
            with self.assertRaisesMessage(ValidationError, "签到码不正确"):
                self.sign_in(f"{i:04d}")

    def test_the_limit_ships_in_the_rule_table_with_its_reason(self) -> None:
        rule = Rule.objects.get(key=KEY)
        self.assertEqual((rule.value, rule.unit), (5, "次"))
        self.assertIn("组织者登记出勤", rule.note)

    def test_wrong_codes_up_to_the_limit_are_wrong_then_even_the_right_code_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as first:
            self.sign_in("0000")
        self.assertEqual(first.exception.message_dict, {"code": ["签到码不正确，还可以再试4次"]})
        self.use_up(4)
        with self.assertRaises(ValidationError) as refused:
            self.sign_in("8421")
        (message,) = refused.exception.message_dict["code"]
        self.assertIn(LOCKED, message)
        self.assertIn("组织者登记出勤", message)
        # Every wrong code was kept although each attempt raised; the refused right code adds none.
        self.assertEqual(SignInFailure.objects.filter(activity=self.activity, member=self.p.member).count(), 5)
        self.assertFalse(Attendance.objects.exists())
        with self.assertRaisesMessage(ValidationError, LOCKED):  # the page's check says so before any code
            services.check_sign_in(self.activity, self.p.member, now=self.during)

    def test_the_failure_records_the_members_branch_and_the_organizer(self) -> None:
        self.use_up(1)
        failure = SignInFailure.objects.get()
        self.assertEqual((failure.org, failure.org_path, failure.activity_org_path),
                         (self.p.branch1, self.p.member.org_path, self.activity.org_path))
        self.assertTrue(SignInFailure.objects.restrict(self.p.branch1_manager).exists())
        self.assertFalse(SignInFailure.objects.restrict(self.p.branch2_manager).exists())

    def test_another_member_and_another_activity_are_unaffected(self) -> None:
        self.use_up()
        colleague = self.p.branch1_members[1]
        colleague.user = get_user_model().objects.create(username="colleague")
        colleague.save(update_fields=["user"])
        self.assertEqual(self.sign_in("8421", user=colleague.user).member, colleague)
        other = new_activity(self.p, self.p.branch1, 2, day=self.today, start=9, end=12, sign_in_code="1357")
        self.assertEqual(self.sign_in("1357", activity=other).status, AttendanceStatus.PRESENT)

    def test_the_organizer_still_records_a_locked_member(self) -> None:
        self.use_up()
        (attendance,) = services.record_attendance(self.activity, [services.Entry(self.p.member, "present")],
                                                   acting_user=self.p.branch1_manager)
        self.assertEqual((attendance.member, attendance.status), (self.p.member, AttendanceStatus.PRESENT))

    def test_the_limit_is_read_from_the_rule_table(self) -> None:
        Rule.objects.filter(key=KEY).update(value=2)
        clear_cache()
        with self.assertRaisesMessage(ValidationError, "还可以再试1次"):
            self.sign_in("0000")
        with self.assertRaisesMessage(ValidationError, "输错次数已达上限"):
            self.sign_in("0001")
        with self.assertRaisesMessage(ValidationError, LOCKED):
            self.sign_in("8421")
        Rule.objects.filter(key=KEY).update(value=3)
        clear_cache()
        self.assertEqual(self.sign_in("8421").status, AttendanceStatus.PRESENT)


class TypedCodeTest(PersonaTestCase):
    def test_an_empty_code_is_not_a_guess_and_full_width_digits_are_the_code(self) -> None:
        activity = open_now(new_activity(self.p, self.p.branch1, 1, sign_in_code="8421"))
        with self.assertRaisesMessage(ValidationError, "请输入签到码"):
            services.sign_in(activity, acting_user=self.p.member_user, code="  ")
        self.assertFalse(SignInFailure.objects.exists())
        attendance = services.sign_in(activity, acting_user=self.p.member_user, code="８４２１")
        self.assertEqual(attendance.status, AttendanceStatus.PRESENT)


class WrongCodePagesTest(PersonaTestCase):
    def setUp(self) -> None:
        clear_cache()
        self.addCleanup(clear_cache)
        self.activity = open_now(new_activity(self.p, self.p.branch1, 1, sign_in_code="8421"))
        self.url = reverse("learning:activity_sign_in", args=[self.activity.pk])

    def test_the_sign_in_page_enforces_the_limit(self) -> None:
        self.client.force_login(self.p.member_user)
        limit = services.max_wrong_codes(self.activity)
        for i in range(limit - 1):
            self.assertContains(self.client.post(self.url, {"code": f"{i:04d}"}), "签到码不正确", status_code=400)
        # The last wrong code ends self-service: the page says so and offers no form any more.
        last = self.client.post(self.url, {"code": "0999"})
        self.assertContains(last, LOCKED, status_code=400)
        self.assertNotContains(last, "确认签到", status_code=400)
        response = self.client.post(self.url, {"code": "8421"})
        self.assertContains(response, LOCKED, status_code=400)
        self.assertContains(self.client.get(self.url), LOCKED)
        self.assertFalse(Attendance.objects.exists())
        detail = self.client.get(self.activity.get_absolute_url())
        self.assertFalse(detail.context["may_sign_in"])
        self.assertContains(detail, "签到码输错次数已达上限")

    def test_the_roll_shows_the_wrong_codes_until_the_member_is_recorded(self) -> None:
        self.client.force_login(self.p.member_user)
        limit = services.max_wrong_codes(self.activity)
        for i in range(limit):
            self.client.post(self.url, {"code": f"{i:04d}"})
        self.client.force_login(self.p.branch1_manager)
        roll = reverse("learning:activity_attendance", args=[self.activity.pk])
        response = self.client.get(roll)
        self.assertContains(response, f"签到码错误 {limit} 次", count=1)
        self.assertEqual(response.context["locked"], 1)
        self.client.post(roll, {f"status-{self.p.member.pk}": "present"})
        self.assertEqual(Attendance.objects.get().status, AttendanceStatus.PRESENT)
        self.assertEqual(self.client.get(roll).context["locked"], 0)


class WrongCodeAPITest(APITestCase):
    def setUp(self) -> None:
        super().setUp()
        clear_cache()
        self.addCleanup(clear_cache)
        self.activity = open_now(new_activity(self.p, self.p.branch1, 1, sign_in_code="8421"))
        self.url = reverse("activity-sign-in", args=[self.activity.pk])

    def test_the_api_enforces_the_limit_with_a_400_on_the_code(self) -> None:
        self.login(self.p.member_user)
        for i in range(services.max_wrong_codes(self.activity)):
            response = self.client.post(self.url, {"code": f"{i:04d}"}, format="json")
            self.assertEqual(response.status_code, 400, response.data)
            self.assertIn("签到码不正确", response.data["code"][0])
        response = self.client.post(self.url, {"code": "8421"}, format="json")
        self.assertEqual(response.status_code, 400, response.data)
        self.assertIn(LOCKED, response.data["code"][0])
        self.assertFalse(Attendance.objects.exists())
        self.assertEqual(SignInFailure.objects.count(), services.max_wrong_codes(self.activity))
