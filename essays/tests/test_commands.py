"""``chuxin corpus add`` and ``chuxin essays check``: loading the corpus, checking a file, bad input."""

from __future__ import annotations

import json
import tempfile
import zipfile
from io import StringIO
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import TestCase

from essays.models import ReferenceDocument

TEXT = (Path(__file__).resolve().parents[2] / "learning" / "data" / "regulations.txt").read_text(encoding="utf-8")
ARTICLE = TEXT[TEXT.index("中国共产党支部工作条例"):]
OWN = ("今年以来，我坚持每周抽出固定时间学习，把学习笔记整理成册，在支部学习会上交流体会。"
       "在社区志愿服务中，我主动联系三户困难群众，帮他们解决了看病和子女上学的实际困难。")


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


class CorpusCommandTest(TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())
        # Like ``import``, the command acts as an account: by default the first superuser.
        self.root = get_user_model().objects.create_superuser("root", password=None)

    def test_add_a_folder_and_a_zip_once_each(self) -> None:
        (self.tmp / "docs").mkdir()
        (self.tmp / "docs" / "a.txt").write_text("支部工作条例节选\n来源：https://example.org/a\n" + ARTICLE, "utf-8")
        (self.tmp / "docs" / "gbk.txt").write_bytes(("另一篇\n" + ARTICLE[:400] + OWN).encode("gb18030"))
        (self.tmp / "docs" / "short.txt").write_text("太短", "utf-8")
        with zipfile.ZipFile(self.tmp / "more.zip", "w") as archive:
            archive.writestr("b.txt", "转载心得\n" + OWN * 3)
        self.assertIn("载入3篇", run("corpus", "add", str(self.tmp / "docs"), str(self.tmp / "more.zip")))
        self.assertEqual(ReferenceDocument.objects.get(title="支部工作条例节选").source_url, "https://example.org/a")
        self.assertIn("已有3篇", run("corpus", "add", str(self.tmp / "docs"), str(self.tmp / "more.zip")))
        self.assertEqual(ReferenceDocument.objects.count(), 3)

    def test_the_loading_account_is_logged_and_a_non_administrator_is_refused(self) -> None:
        from core.models import ObjectChange

        (self.tmp / "a.txt").write_text("支部工作条例节选\n" + ARTICLE, "utf-8")
        clerk = get_user_model().objects.create_user("clerk", password=None)
        with self.assertRaisesMessage(CommandError, "只有管理员可以进行此操作"):
            run("corpus", "add", str(self.tmp / "a.txt"), "--user", "clerk")
        self.assertFalse(ReferenceDocument.objects.exists())
        self.assertFalse(ObjectChange.objects.filter(user=clerk).exists())
        self.assertIn("载入1篇", run("corpus", "add", str(self.tmp / "a.txt")))
        change = ObjectChange.objects.get(object_repr="支部工作条例节选")
        self.assertEqual((change.user, change.request_repr), (self.root, "chuxin corpus add a.txt"))

    def test_a_highly_compressed_member_over_the_limit_is_refused(self) -> None:
        with zipfile.ZipFile(self.tmp / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("big.txt", "党" * 2_100_000)  # 6.3 MB of text in a few kilobytes
        self.assertIn("未载入1篇", run("corpus", "add", str(self.tmp / "bomb.zip")))
        self.assertEqual(ReferenceDocument.objects.count(), 0)

    def test_a_renamed_image_or_a_missing_path_is_refused(self) -> None:
        fake = self.tmp / "photo.zip"
        fake.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
        with self.assertRaises(CommandError):
            run("corpus", "add", str(fake))
        with self.assertRaises(CommandError):
            run("corpus", "add", str(self.tmp / "nothing.txt"))
        self.assertEqual(ReferenceDocument.objects.count(), 0)


class CheckCommandTest(TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())
        (self.tmp / "a.txt").write_text("支部工作条例节选\n来源：https://example.org/a\n" + ARTICLE, "utf-8")
        get_user_model().objects.create_superuser("root", password=None)
        run("corpus", "add", str(self.tmp / "a.txt"))

    def test_a_copied_passage_is_reported_with_offsets_and_source(self) -> None:
        copied = ARTICLE[ARTICLE.index("党支部是党的基础组织"):ARTICLE.index("的职责。") + 4]
        essay = self.tmp / "essay.txt"
        essay.write_text(OWN + copied, "utf-8")
        report = json.loads(run("essays", "check", str(essay), "--json"))
        self.assertLess(report["originality"], 70)
        (passage,) = report["passages"]
        self.assertEqual(passage["source"]["url"], "https://example.org/a")
        self.assertIn("战斗堡垒", passage["text"])
        self.assertIn("战斗堡垒", passage["source_text"])
        self.assertGreaterEqual(passage["start"], len(OWN) - 5)
        self.assertEqual(ReferenceDocument.objects.count(), 1)  # checking saves nothing

    def test_an_original_text_and_bad_files(self) -> None:
        essay = self.tmp / "own.txt"
        essay.write_text(OWN, "utf-8")
        self.assertIn("原创度 100.0%", run("essays", "check", str(essay)))
        blank = self.tmp / "blank.txt"
        blank.write_text("   \n\n", "utf-8")
        with self.assertRaises(CommandError):
            run("essays", "check", str(blank))
        with self.assertRaises(CommandError):
            run("essays", "check", str(self.tmp / "missing.txt"))
