from __future__ import annotations

import json
from io import StringIO
from typing import Any, ClassVar

from django.core.management import CommandError, call_command
from django.test import TestCase
from rest_framework.authtoken.models import Token

from core.testing.personas import Personas, build_personas
from core.testing.views import PersonaTestCase


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class TokenCommandTest(TestCase):
    p: ClassVar[Personas]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = build_personas()

    def test_prints_the_token_creating_it_once(self) -> None:
        key, _err = run("token", "branch1")
        key = key.strip()
        self.assertEqual(Token.objects.get(user=self.p.branch1_manager).key, key)
        again, _err = run("token", "branch1")
        self.assertEqual(again.strip(), key)

    def test_reset_replaces_the_token(self) -> None:
        first = run("token", "branch1")[0].strip()
        second = run("token", "branch1", "--reset")[0].strip()
        self.assertNotEqual(first, second)
        self.assertEqual(Token.objects.filter(user=self.p.branch1_manager).count(), 1)

    def test_printed_token_authenticates_api_requests(self) -> None:
        key = run("token", "inspector")[0].strip()
        response = self.client.get("/api/orgs/", HTTP_AUTHORIZATION=f"Token {key}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual({row["id"] for row in response.json()["results"]}, {self.p.branch1.pk, self.p.group.pk})

    def test_unknown_user_is_an_error(self) -> None:
        with self.assertRaisesMessage(CommandError, "nobody"):
            run("token", "nobody")


class GapsCommandTest(TestCase):
    p: ClassVar[Personas]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = build_personas()

    def lines(self, *args: str) -> list[str]:
        return run("gaps", *args)[0].splitlines()

    def test_default_lists_every_root_organization(self) -> None:
        lines = self.lines("--date", "2025-03-01")
        self.assertTrue(any(line.split("\t")[1] == "T02 第二党支部" for line in lines), lines)
        line = next(line for line in lines if "T02 第二党支部" in line)
        severity, org, title, detail, source = line.split("\t")
        self.assertEqual(severity, "提醒")
        self.assertIn("3", title)
        self.assertIn("2", detail)
        self.assertIn("支部工作条例", source)

    def test_org_option_limits_to_the_subtree(self) -> None:
        self.assertEqual(self.lines("--org", "T01", "--date", "2025-03-01"), [])
        self.assertTrue(self.lines("--org", "T02"))

    def test_user_option_applies_the_users_scope(self) -> None:
        self.assertEqual(self.lines("--user", "branch1", "--date", "2025-03-01"), [])
        self.assertTrue(self.lines("--user", "branch2", "--date", "2025-03-01"))
        with self.assertRaises(CommandError):
            run("gaps", "--user", "branch1", "--org", "T02")

    def test_json_format(self) -> None:
        data: list[dict[str, Any]] = json.loads(run("gaps", "--format", "json", "--org", "T02")[0])
        self.assertEqual({g["org_code"] for g in data}, {"T02"})
        self.assertIn("orgs.branch.min_full_members", {g["rule"] for g in data})

    def test_summary_goes_to_stderr(self) -> None:
        _out, err = run("gaps", "--date", "2025-03-01")
        self.assertIn("2025-03-01", err)

    def test_bad_date_and_unknown_org_are_errors(self) -> None:
        with self.assertRaises(CommandError):
            run("gaps", "--date", "2025-02-30")
        with self.assertRaises(CommandError):
            run("gaps", "--org", "NOPE")


class GapsRuleOptionTest(PersonaTestCase):
    def test_rule_option_keeps_only_that_kind_of_gap(self) -> None:
        out = run("gaps", "--rule", "orgs.structure", "--date", "2026-11-21")[0].splitlines()
        self.assertTrue(out)
        self.assertTrue(all("支部工作条例" in line or "选举工作条例" in line for line in out), out)
        learning = run("gaps", "--rule", "learning.pace", "--date", "2026-11-21")[0].splitlines()
        self.assertTrue(learning)
        self.assertTrue(all("学" in line.split("\t")[2] for line in learning), learning)


class HelpTest(TestCase):
    def test_every_chuxin_command_prints_its_help(self) -> None:
        from django.core.management import get_commands, load_command_class

        ours = [(name, app) for name, app in get_commands().items() if app in ("core", "orgs", "learning")]
        self.assertTrue(ours)
        for name, app in ours:
            command = load_command_class(app, name)
            parser = command.create_parser("chuxin", name)
            self.assertTrue(parser.format_help(), name)


class GapsMemberUserTest(PersonaTestCase):
    def test_a_member_account_lists_no_gaps_of_its_own_branch(self) -> None:
        branch = self.p.member.org
        self.assertTrue(run("gaps", "--user", self.p.branch1_manager.username, "--org", branch.code)[0].strip())
        self.assertEqual(run("gaps", "--user", self.p.member_user.username)[0].strip(), "")
        with self.assertRaises(CommandError):
            run("gaps", "--user", self.p.member_user.username, "--org", branch.code)
