"""Error pages are the site's own, in the user's language, and never need the failed request to render."""

from __future__ import annotations

from typing import Any

from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from core.testing.views import PersonaTestCase


class ErrorPageTest(PersonaTestCase):
    def test_a_missing_page_is_a_404_page_with_the_navigation(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        response = self.client.get("/no-such-page/")
        self.assertContains(response, "找不到页面", status_code=404)
        self.assertContains(response, "cx-navbar", status_code=404)
        english = self.client.get("/no-such-page/", headers={"accept-language": "en"})
        self.assertContains(english, "Page not found", status_code=404)

    def test_a_denied_action_says_why(self) -> None:
        self.client.force_login(self.p.inspector)
        response = self.client.get(f"/members/{self.p.member.pk}/edit/")
        self.assertContains(response, "没有权限", status_code=403)
        self.assertContains(response, "您只有查看权限", status_code=403)

    def test_the_server_error_page_renders_without_the_request(self) -> None:
        from django.utils import translation

        with translation.override("zh-hans"):  # the language of the request that failed (an English one above)
            response = server_error(RequestFactory().get("/"))
        self.assertEqual(response.status_code, 500)
        self.assertIn("系统出错", response.content.decode())


class MenuTest(PersonaTestCase):
    def test_a_plain_member_is_not_offered_the_managers_pages(self) -> None:
        manager_pages = ["/members/", "/grants/", "/learning/questions/", "/essays/requests/", "/transfers/"]
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get("/essays/mine/").content.decode()
        self.assertTrue(all(f'href="{url}"' in page for url in manager_pages))
        self.client.force_login(self.p.member_user)
        page = self.client.get("/essays/mine/").content.decode()
        self.assertEqual([url for url in manager_pages if f'href="{url}"' in page], [])
        self.assertIn('href="/essays/mine/"', page)
        self.assertIn('href="/learning/exams/"', page)


class ListFilterControlsTest(PersonaTestCase):
    """Every filter control says what it filters; filters by a record's key are chips, never bare numbers."""

    def test_selects_name_what_they_filter_and_a_campaign_filter_is_a_chip_with_its_name(self) -> None:
        from campaigns.tests.helpers import new_campaign, new_problem

        campaign = new_campaign(self.p, self.p.committee, name="学习贯彻主题教育")
        new_problem(self.p, self.p.branch1, "会议记录不全", campaign=campaign)
        new_problem(self.p, self.p.branch1, "另一个问题")
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get("/campaigns/problems/")
        html = page.content.decode()
        self.assertIn("问题来源：全部", html)
        english = self.client.get("/campaigns/problems/", headers={"accept-language": "en"}).content.decode()
        self.assertIn("Source: All", english)
        self.assertIn("已逾期：全部", html)
        self.assertNotIn('type="number" name="campaign"', html)
        self.assertNotIn('name="campaign"', html)  # no value: not even a hidden field
        page = self.client.get("/campaigns/problems/", {"campaign": str(campaign.pk), "q": "记录"})
        self.assertEqual([p.title for p, _cells in page.context["table"].cells()], ["会议记录不全"])
        [chip] = page.context["filter_chips"]
        self.assertEqual((chip["label"], chip["name"]), ("主题教育", "学习贯彻主题教育"))
        self.assertEqual(chip["query"], "q=%E8%AE%B0%E5%BD%95")  # the chip's link drops only the campaign
        self.assertContains(page, f'<input type="hidden" name="campaign" value="{campaign.pk}"')

    def test_a_chip_names_a_category_only_to_those_who_may_see_its_campaign(self) -> None:
        from campaigns.tests.helpers import new_campaign

        campaign = new_campaign(self.p, self.p.branch1, name="第一支部专题活动")
        category = campaign.categories.order_by("pk").first()
        assert category is not None
        for user, shown in ((self.p.branch1_manager, category.name), (self.p.branch2_manager, f"#{category.pk}")):
            self.client.force_login(user)
            page = self.client.get("/campaigns/problems/", {"category": str(category.pk)})
            self.assertEqual([c["name"] for c in page.context["filter_chips"]], [shown])

    def test_a_filter_on_several_values_of_a_column_selects_each_row_once_without_distinct(self) -> None:
        from campaigns.tests.helpers import new_problem

        for title in ("会议记录不全", "台账缺页"):
            new_problem(self.p, self.p.branch1, title)
        self.client.force_login(self.p.branch1_manager)
        for url, params in (("/campaigns/problems/", {"status": ["open", "in_progress"]}),
                            ("/members/", {"status": ["full", "probationary"], "category": ["employed", "retired"]})):
            page = self.client.get(url, params)
            rows = page.context["page"].object_list
            self.assertFalse(rows.query.distinct, url)  # DISTINCT over every column sorts the whole set first
            self.assertEqual(len({r.pk for r in rows}), len(rows), url)
            self.assertGreater(len(rows), 0, url)

    def test_sorting_follows_the_order_of_choices_and_puts_empty_values_last(self) -> None:
        from orgs.choices import Status
        from orgs.models import Member

        members = self.p.branch1_members
        Member.objects.filter(pk=members[0].pk).update(status=Status.APPLICANT, admission_date=None)
        Member.objects.filter(pk=members[1].pk).update(status=Status.ACTIVIST, admission_date=None)
        Member.objects.filter(pk=members[2].pk).update(status=Status.CANDIDATE, admission_date=None)
        self.client.force_login(self.p.branch1_manager)

        def listed(sort: str) -> list[Any]:
            return list(self.client.get("/members/", {"sort": sort}).context["page"].object_list)

        order = [value for value, _label in Status.choices]
        statuses = [m.status for m in listed("status")]
        self.assertEqual(statuses, sorted(statuses, key=order.index))
        self.assertEqual(statuses[:3], [Status.APPLICANT, Status.ACTIVIST, Status.CANDIDATE])
        self.assertEqual([m.status for m in listed("-status")], sorted(statuses, key=order.index, reverse=True))
        for sort in ("admission_date", "-admission_date"):
            dates = [m.admission_date for m in listed(sort)]
            self.assertEqual(dates[-3:], [None, None, None], sort)
            self.assertIsNotNone(dates[0], sort)

    def test_an_empty_choice_sorts_last_both_ways(self) -> None:
        import django_filters

        from core.filtersets import Ordering
        from orgs.models import Member

        class Education(django_filters.FilterSet):
            sort = Ordering(fields=(("education", "education"),))

            class Meta:
                model = Member
                fields: list[str] = []

        Member.objects.filter(pk=self.p.branch1_members[0].pk).update(education="")
        rows = Member.objects.filter(org=self.p.branch1)
        for sort in ("education", "-education"):
            values = [m.education for m in Education({"sort": sort}, queryset=rows).qs]
            self.assertEqual(values[-1], "", sort)
            self.assertNotEqual(values[0], "", sort)

    def test_a_chosen_yes_or_no_still_names_its_filter(self) -> None:
        self.client.force_login(self.p.committee_manager)
        html = self.client.get("/campaigns/problems/", {"overdue": "true", "mine_to_review": "false"}).content.decode()
        self.assertIn('<option value="true" selected>已逾期：是</option>', html)
        self.assertIn('<option value="false" selected>由我审核：否</option>', html)
        english = self.client.get("/campaigns/problems/", {"overdue": "true"},
                                  headers={"accept-language": "en"}).content.decode()
        self.assertIn("selected>Overdue: Yes</option>", english)

    def test_a_yes_no_filter_shows_what_was_asked_however_it_was_spelled(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        for value in ("true", "True", "1"):
            page = self.client.get("/campaigns/problems/", {"overdue": value}).content.decode()
            self.assertIn('<option value="true" selected>', page, value)

    def test_a_number_too_large_for_the_database_is_a_clear_error(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        huge = "99999999999999999999"
        page = self.client.get("/learning/activities/", {"year": huge})
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "年度：确保该值小于或等于")
        self.assertEqual(self.client.get("/api/learning/activities/", {"year": huge}).status_code, 400)
        self.assertEqual(self.client.get("/campaigns/problems/", {"campaign": huge}).status_code, 200)
        # Filter sets without a scope (an API's plain member or object numbers) are bounded alike.
        for url, name in (("/api/learning/points/", "member"), ("/api/learning/years/", "member"),
                          ("/api/essays/versions/", "essay"), ("/api/changes/", "object_id")):
            self.assertEqual(self.client.get(url, {name: huge}).status_code, 400, url)

    def test_a_year_outside_the_calendar_is_a_clear_error(self) -> None:
        self.client.force_login(self.p.member_user)
        for url in ("/api/learning/activities/", "/api/campaigns/campaigns/", "/api/essays/requests/"):
            for year in ("0", "1", "-1", "9999", "10000", "1.5"):
                response = self.client.get(url, {"year": year})
                self.assertEqual(response.status_code, 400, (url, year))
                self.assertIn("year", response.json(), (url, year))
            self.assertEqual(self.client.get(url, {"year": "2026"}).status_code, 200, url)
        self.client.force_login(self.p.branch1_manager)
        self.assertContains(self.client.get("/learning/activities/", {"year": "0"}), "年度：确保该值大于或等于1900")

    def test_a_chip_names_a_record_only_to_those_who_may_see_it(self) -> None:
        from campaigns.tests.helpers import new_campaign

        campaign = new_campaign(self.p, self.p.branch1, name="第一支部专题活动")
        self.client.force_login(self.p.branch2_manager)
        page = self.client.get("/campaigns/problems/", {"campaign": str(campaign.pk)})
        self.assertEqual([c["name"] for c in page.context["filter_chips"]], [f"#{campaign.pk}"])
        self.assertNotContains(page, "第一支部专题活动")


class EnglishTitlesTest(PersonaTestCase):
    def test_list_titles_and_actions_follow_the_language_of_the_request(self) -> None:
        self.client.force_login(self.p.admin)
        english = {"accept-language": "en"}
        for url, text in (("/transfers/", "Transfer of party membership"), ("/grants/", "Accounts and grants"),
                          ("/campaigns/campaigns/", "From a template"), ("/members/", "Party members")):
            page = self.client.get(url, headers=english)
            self.assertContains(page, text, msg_prefix=url)
        self.assertContains(self.client.get("/grants/"), "账号与授权")

    def test_a_new_record_is_named_in_the_singular_and_a_list_in_the_plural(self) -> None:
        self.client.force_login(self.p.admin)
        english = {"accept-language": "en"}
        for add, new, listing, plural in (
                ("/essays/requests/add/", "New Essay request", "/essays/requests/", "Essay requests"),
                ("/campaigns/exemplars/add/", "New Exemplar", "/campaigns/exemplars/", "Exemplars"),
                ("/campaigns/checklists/add/", "New Self-inspection checklist", "/campaigns/checklists/",
                 "Self-inspection checklists")):
            self.assertContains(self.client.get(add, headers=english), new, msg_prefix=add)
            self.assertContains(self.client.get(listing, headers=english), f"<h1 class=\"h3 mb-0 me-auto\">{plural}",
                                msg_prefix=listing)


class TodoTest(PersonaTestCase):
    """The home page lists what waits for the user: counted through the scope, each linking to its list."""

    def todos(self, user: Any) -> dict[str, int]:
        self.client.force_login(user)
        response = self.client.get("/")
        if response.status_code == 302:  # nothing to do: straight to the user's organization
            return {}
        return {str(t.label): t.count for t in response.context["todos"]}

    def test_an_administrator_is_asked_for_the_holidays_of_years_the_calendar_does_not_know(self) -> None:
        """Which years are missing on a given day is ``core.workdays.missing_years`` (tested at fixed dates in
        test_workdays); here: each of today's missing years is an administrator's to-do, and only theirs, and
        entering a holiday of the year takes it away."""
        import datetime

        from django.utils import timezone

        from core.models import Holiday
        from core.todos import calendar_todos
        from core.workdays import clear_cache, missing_years

        self.addCleanup(clear_cache)
        years = missing_years(timezone.localdate())
        self.assertEqual([str(t.label) for t in calendar_todos(self.p.admin)],
                         [f"录入{year}年法定节假日和调休安排" for year in years])
        self.assertEqual(list(calendar_todos(self.p.committee_manager)), [])
        for year in years:
            Holiday.objects.create(date=datetime.date(year, 1, 1), is_workday=False, name="元旦")
        clear_cache()
        self.assertEqual(list(calendar_todos(self.p.admin)), [])

    def assert_links_list_their_counts(self, *users: Any) -> None:
        """Each to-do's link lists exactly what it counts."""
        for user in users:
            self.client.force_login(user)
            for todo in self.client.get("/").context["todos"]:
                if todo.url.startswith("/admin/"):
                    continue  # a task for the administration site (a year's holidays), not a list of items
                listed = self.client.get(todo.url).context["page"].paginator.count
                self.assertEqual(listed, todo.count, (user.username, str(todo.label), todo.url))

    def test_each_step_waits_on_the_right_desk_only(self) -> None:
        import datetime

        from campaigns import services as campaign_services
        from campaigns.tests.helpers import new_problem
        from essays import services as essay_services
        from essays.choices import Decision
        from essays.tests.helpers import OWN, new_request, write
        from orgs import services as org_services
        from orgs.models import Transfer

        self.assertEqual(self.todos(self.p.committee_manager), {})
        problem = new_problem(self.p, self.p.branch1, "会议记录不全")
        campaign_services.submit_for_close(problem, acting_user=self.p.branch1_manager)
        # The committee's own problem is reviewed above it, not by the committee itself.
        own = new_problem(self.p, self.p.committee, "党委自身的问题")
        campaign_services.submit_for_close(own, acting_user=self.p.committee_manager)
        org_services.start_transfer(Transfer(member=self.p.branch1_members[1], to_org=self.p.branch2,
                                             date=datetime.date.today()), acting_user=self.p.branch1_manager)
        request = new_request(self.p, self.p.branch1)
        essay = write(request, self.p.member_user, OWN[0])
        # The secretary is a member of the branch too, and writes the essay asked of everyone: not theirs to review.
        from orgs.models import Member
        Member.objects.filter(pk=self.p.branch1_members[2].pk).update(user=self.p.branch1_manager)
        write(request, type(self.p.branch1_manager).objects.get(pk=self.p.branch1_manager.pk), OWN[1])
        # The committee may act on everything below it (it may receive for a branch, too).
        self.assertEqual(self.todos(self.p.committee_manager),
                         {"待审核销号的整改问题": 1, "待审阅的心得体会": 2, "待接收的组织关系转接": 1})
        self.assertEqual(self.todos(self.p.branch1_manager), {"待审阅的心得体会": 1})  # not their own
        self.assert_links_list_their_counts(self.p.committee_manager, self.p.branch1_manager, self.p.branch2_manager)
        self.assertEqual(self.todos(self.p.branch2_manager), {"待接收的组织关系转接": 1})
        essay_services.review(essay.versions.get(), acting_user=self.p.branch1_manager, decision=Decision.RETURNED,
                              comment="请结合本职工作")
        self.assertEqual(self.todos(self.p.member_user), {"被退回、需修改的心得体会": 1})
        page = self.client.get("/")
        self.assertContains(page, 'href="/essays/mine/"')
        self.assertNotContains(page, "/gaps/")  # a member's own branch: no gap list to offer

    def test_a_member_is_told_of_the_exams_to_sit_and_the_essays_to_write(self) -> None:
        from essays.tests.helpers import OWN, new_request, write
        from learning import services as learning_services
        from learning.tests.helpers import new_exam, new_question

        for n in range(3):
            new_question(self.p, self.p.committee, n)
        exam = new_exam(self.p, self.p.committee)
        request = new_request(self.p, self.p.branch1)
        new_request(self.p, self.p.branch2)  # not addressed to a member of branch1
        self.assertEqual(self.todos(self.p.member_user), {"待参加的考试": 1, "待撰写的心得体会": 1})
        listed = self.client.get(f"{reverse('learning:exam_list')}?to_take=true").context["page"].paginator.count
        self.assertEqual(listed, 1)
        self.assertContains(self.client.get("/"), 'href="/essays/mine/"')
        write(request, self.p.member_user, OWN[0])
        attempt = learning_services.start_attempt(exam, acting_user=self.p.member_user)
        learning_services.submit_attempt(attempt, acting_user=self.p.member_user, answers={})
        self.assertEqual(self.todos(self.p.member_user), {})
        self.assertEqual(self.todos(self.p.branch2_manager), {})  # a manager who is no member writes nothing

    def test_a_returned_rectification_waits_on_its_branch_and_its_responsible_person(self) -> None:
        from campaigns import services as campaign_services
        from campaigns.choices import ReviewDecision
        from campaigns.tests.helpers import new_problem

        problem = new_problem(self.p, self.p.branch1, "会议记录不全", owner=self.p.member)
        campaign_services.submit_for_close(problem, acting_user=self.p.branch1_manager)
        campaign_services.review_problem(problem, acting_user=self.p.committee_manager,
                                         decision=ReviewDecision.RETURN, comment="缺少照片")
        for user in (self.p.branch1_manager, self.p.member_user):
            self.assertEqual(self.todos(user), {"被退回、需继续整改的问题": 1})
        self.assertEqual(self.todos(self.p.branch2_manager), {})

    def test_returned_problems_one_may_only_read_are_not_ones_to_redo(self) -> None:
        from campaigns import services as campaign_services
        from campaigns.choices import ReviewDecision
        from campaigns.tests.helpers import new_problem
        from core.choices import Role
        from core.scoping import forget_scopes
        from orgs import services as org_services
        from orgs.models import RoleGrant

        # branch2's secretary also inspects branch1 (reads it, answers for nothing there).
        org_services.grant_role(RoleGrant(user=self.p.branch2_manager, role=Role.INSPECTOR, org=self.p.branch1),
                                acting_user=self.p.admin)
        forget_scopes(self.p.branch2_manager)
        for org, manager in ((self.p.branch1, self.p.branch1_manager), (self.p.branch2, self.p.branch2_manager)):
            problem = new_problem(self.p, org, "台账缺页")
            campaign_services.submit_for_close(problem, acting_user=manager)
            campaign_services.review_problem(problem, acting_user=self.p.committee_manager,
                                             decision=ReviewDecision.RETURN, comment="缺少照片")
        self.assertEqual(self.todos(self.p.branch2_manager), {"被退回、需继续整改的问题": 1})
        self.assertEqual(self.todos(self.p.admin)["被退回、需继续整改的问题"], 2)
        self.assert_links_list_their_counts(self.p.branch2_manager, self.p.committee_manager, self.p.admin)

    def test_a_branch_that_sends_and_receives_is_asked_only_to_receive(self) -> None:
        import datetime

        from orgs import services as org_services
        from orgs.models import Transfer

        today = datetime.date.today()
        org_services.start_transfer(Transfer(member=self.p.branch1_members[1], to_org=self.p.branch2, date=today),
                                    acting_user=self.p.branch1_manager)
        org_services.start_transfer(Transfer(member=self.p.branch2_members[1], to_org=self.p.branch1, date=today),
                                    acting_user=self.p.branch2_manager)
        for user in (self.p.branch1_manager, self.p.branch2_manager):
            self.assertEqual(self.todos(user), {"待接收的组织关系转接": 1}, user.username)
        self.assertEqual(self.todos(self.p.committee_manager), {"待接收的组织关系转接": 2})
        self.assert_links_list_their_counts(self.p.branch1_manager, self.p.branch2_manager, self.p.committee_manager)

    def test_a_checklist_to_answer_waits_on_the_person_and_the_organization_given_it(self) -> None:
        from campaigns import services as campaign_services

        checklist = campaign_services.copy_checklist(self.p.committee, acting_user=self.p.committee_manager)
        campaign_services.assign_checklist(checklist, acting_user=self.p.committee_manager,
                                           members=[self.p.member], orgs=[self.p.branch1])
        label = "待填写的检视清单"
        self.assertEqual(self.todos(self.p.member_user).get(label), 1)
        self.assertEqual(self.todos(self.p.branch1_manager).get(label), 1)
        self.assertIsNone(self.todos(self.p.committee_manager).get(label))  # each organization answers its own
        self.assertIsNone(self.todos(self.p.branch2_manager).get(label))
        self.assert_links_list_their_counts(self.p.member_user, self.p.branch1_manager)

    def test_a_checklist_given_to_an_organization_waits_on_everyone_told_of_it(self) -> None:
        from campaigns import services as campaign_services
        from core.choices import Role
        from core.models import Notification
        from orgs import services as org_services
        from orgs.models import RoleGrant

        # The committee's manager is also a manager of branch2 (a grant below the one they hold).
        org_services.grant_role(RoleGrant(user=self.p.committee_manager, role=Role.MANAGER, org=self.p.branch2),
                                acting_user=self.p.admin)
        checklist = campaign_services.copy_checklist(self.p.committee, acting_user=self.p.admin)
        campaign_services.assign_checklist(checklist, acting_user=self.p.admin, orgs=[self.p.branch2])
        for user in (self.p.committee_manager, self.p.branch2_manager):
            self.assertTrue(Notification.objects.filter(user=user, kind="campaigns.assigned").exists())
            self.assertEqual(self.todos(user).get("待填写的检视清单"), 1, user.username)
        self.assert_links_list_their_counts(self.p.committee_manager, self.p.branch2_manager)

    def test_a_manager_responsible_for_a_returned_problem_counts_it_once_inside_or_outside_their_subtree(self) -> None:
        from campaigns import services as campaign_services
        from campaigns.choices import ReviewDecision
        from campaigns.tests.helpers import new_problem
        from core.choices import Role
        from core.scoping import forget_scopes
        from orgs import services as org_services
        from orgs.models import Member, RoleGrant

        # branch1's secretary is a member of branch1; branch2's is (unusually) a member of branch1 too, with
        # a member's grant there.
        inside, outside = self.p.branch1_members[2], self.p.branch1_members[3]
        Member.objects.filter(pk=inside.pk).update(user=self.p.branch1_manager)
        Member.objects.filter(pk=outside.pk).update(user=self.p.branch2_manager)
        org_services.grant_role(RoleGrant(user=self.p.branch2_manager, role=Role.MEMBER, org=self.p.branch1),
                                acting_user=self.p.admin)
        forget_scopes(self.p.branch2_manager)
        for title, owner in (("会议记录不全", inside), ("台账缺页", outside)):
            problem = new_problem(self.p, self.p.branch1, title, owner=owner)
            campaign_services.submit_for_close(problem, acting_user=self.p.branch1_manager)
            campaign_services.review_problem(problem, acting_user=self.p.committee_manager,
                                             decision=ReviewDecision.RETURN, comment="缺少照片")
        self.assertEqual(self.todos(self.p.branch1_manager), {"被退回、需继续整改的问题": 2})
        self.assertEqual(self.todos(self.p.branch2_manager), {"被退回、需继续整改的问题": 1})
        self.assertEqual(self.todos(self.p.committee_manager), {"被退回、需继续整改的问题": 2})
        self.assert_links_list_their_counts(self.p.branch1_manager, self.p.branch2_manager)

    def test_punctuation_around_labels_follows_the_language(self) -> None:
        from campaigns.tests.helpers import new_exemplar

        exemplar = new_exemplar(self.p, self.p.committee, name="先进支部")
        self.client.force_login(self.p.committee_manager)
        self.assertContains(self.client.get(exemplar.get_absolute_url(), headers={"accept-language": "en"}),
                            f"Registered by: {self.p.committee.name}")
        self.assertContains(self.client.get(exemplar.get_absolute_url()), f"推荐单位：{self.p.committee.name}")
        bench = self.client.get(f"/campaigns/orgs/{self.p.branch1.pk}/benchmark/", headers={"accept-language": "en"})
        self.assertContains(bench, "(lower is better)")
        self.assertNotContains(bench, "（")

    def test_ethnic_groups_are_named_in_the_page_language_and_stored_in_chinese(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        url = f"/members/{self.p.member.pk}/edit/"
        self.assertContains(self.client.get(url, headers={"accept-language": "en"}), '<option value="汉族"')
        self.assertContains(self.client.get(url, headers={"accept-language": "en"}), ">Han</option>")
        self.assertContains(self.client.get(url), ">汉族</option>")


class HistoryValuesTest(PersonaTestCase):
    def test_a_moment_in_a_change_shows_in_local_time_like_the_entry_not_as_stored(self) -> None:
        from django.utils import timezone

        from campaigns import services as campaign_services
        from campaigns.models import Problem
        from campaigns.tests.helpers import new_problem

        problem = new_problem(self.p, self.p.branch1, "会议记录不全")
        campaign_services.submit_for_close(problem, acting_user=self.p.branch1_manager)
        submitted = Problem.objects.get(pk=problem.pk).submitted_at
        assert submitted is not None
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get(f"/campaigns/problems/{problem.pk}/history/").content.decode()
        self.assertIn(f"{timezone.localtime(submitted):%Y-%m-%d %H:%M:%S}</td>", page)
        self.assertNotIn(submitted.isoformat()[:19], page)

    def test_a_record_outside_the_scope_is_named_as_such_not_as_a_bare_number(self) -> None:
        import datetime

        from orgs import services as org_services
        from orgs.models import Transfer

        member = self.p.branch2_members[0]
        transfer = org_services.start_transfer(Transfer(member=member, to_org=self.p.branch1,
                                                        date=datetime.date.today()), acting_user=self.p.branch2_manager)
        org_services.confirm_transfer(transfer, acting_user=self.p.branch1_manager)
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get(f"/members/{member.pk}/history/").content.decode()
        self.assertIn(f"#{self.p.branch2.pk}（已删除或不在您的查看范围内）", page)
        self.assertIn(f">{self.p.branch1.name}</td>", page)

    def test_a_deleted_record_reads_like_one_out_of_scope(self) -> None:
        from orgs import services as org_services
        from orgs.choices import OrgKind
        from orgs.models import Organization

        member = self.p.branch1_members[1]
        gone = org_services.create_organization(
            Organization(code="T03", name="临时党支部", kind=OrgKind.BRANCH, parent=self.p.committee),
            acting_user=self.p.admin)
        org_services.update_member(member, acting_user=self.p.admin, changes={"org": gone, "group": None})
        org_services.update_member(member, acting_user=self.p.admin, changes={"org": self.p.branch1})
        org_services.delete_organization(gone, acting_user=self.p.admin)
        self.client.force_login(self.p.committee_manager)
        page = self.client.get(f"/members/{member.pk}/history/").content.decode()
        self.assertIn(f"#{gone.pk}（已删除或不在您的查看范围内）", page)
