"""Message helpers join and name things as the reader's language does."""

from __future__ import annotations

from django.test import SimpleTestCase
from django.utils import translation

from core.text import labelled, listing, nested, sentences


class TextTest(SimpleTestCase):
    def test_lists_sentences_and_field_names_follow_the_language(self) -> None:
        with translation.override("zh-hans"):
            self.assertEqual((listing("甲乙"), sentences(["一", "二"]), labelled("节点", "必填")),
                             ("甲、乙", "一；二", "节点：必填"))
        with translation.override("en"):
            self.assertEqual((listing("ab"), sentences(["one", "two"]), labelled("Title", "required")),
                             ("a, b", "one; two", "Title: required"))

    def test_a_quoted_title_nests_its_own_quotes(self) -> None:
        self.assertEqual(f"“{nested('“三会一课”记录')}”", "“‘三会一课’记录”")
