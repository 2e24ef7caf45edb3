"""The persistent index: a restart finds everything, new documents are searchable at once, merging and
compaction keep results identical, a rebuild starts afresh, commands report and rebuild."""

from __future__ import annotations

import datetime
import json
from io import StringIO
from unittest import mock

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase

from essays import store as store_module
from essays.models import ReferenceDocument
from essays.store import Store, reference_doc
from essays.tests.helpers import OWN, SENTENCES


def add(n: int) -> list[ReferenceDocument]:
    return [ReferenceDocument.objects.create(title=f"文献{i}", digest=f"d{i}",
                                             text=SENTENCES[i % len(SENTENCES)] + OWN[i % 4] + f"第{i}篇")
            for i in range(n)]


class StoreTest(TestCase):
    def setUp(self) -> None:
        self.path = settings.CHUXIN_ORIGINALITY_DIR

    def sources(self, store: Store, text: str) -> set[int]:
        return {p.source for p in store.index().check(text).passages}

    def test_a_new_document_is_searchable_at_once_and_after_a_restart(self) -> None:
        first = Store(self.path)
        self.assertEqual(first.index().doc_count, 0)
        doc = ReferenceDocument.objects.create(title="条例", text="".join(SENTENCES), digest="a")
        self.assertEqual(self.sources(first, OWN[0] + SENTENCES[3]), {reference_doc(doc.pk)})
        self.assertEqual(first.merge(force=True, settle=datetime.timedelta(0)), 1)
        self.assertEqual(first.tail_size(), 1, "the tail is dropped only when the manifest is reloaded")
        restarted = Store(self.path)
        index = restarted.index()
        self.assertEqual((index.doc_count, restarted.tail_size()), (1, 0))
        self.assertIsInstance(index.segments[0].hashes, __import__("numpy").memmap)
        self.assertEqual(self.sources(restarted, OWN[0] + SENTENCES[3]), {reference_doc(doc.pk)})
        self.assertEqual(first.index().doc_count, 1, "another process sees the new manifest")

    def test_merging_needs_enough_settled_documents_unless_forced(self) -> None:
        add(3)
        store = Store(self.path)
        self.assertEqual(store.merge(), 0, "fewer than MERGE_AT documents")
        self.assertEqual(store.merge(force=True), 0, "not yet settled")
        with mock.patch.object(store_module, "MERGE_AT", 2):
            self.assertEqual(store.merge(settle=datetime.timedelta(0)), 3)

    def test_compaction_and_rebuild_give_the_same_results(self) -> None:
        docs = add(12)
        store = Store(self.path)
        query = OWN[1] + docs[5].text + OWN[2]
        expected = self.sources(store, query)
        self.assertIn(reference_doc(docs[5].pk), expected)
        with mock.patch.object(store_module, "MAX_SEGMENTS", 3):
            past = docs[0].created - datetime.timedelta(hours=2)
            for doc in docs[:5]:  # documents settle one by one: five merges, compacted along the way
                ReferenceDocument.objects.filter(pk=doc.pk).update(created=past)
                self.assertEqual(store.merge(force=True, settle=datetime.timedelta(hours=1)), 1)
            manifest = json.loads((self.path / "manifest.json").read_text())
            self.assertLessEqual(len(manifest["segments"]), 3)
            self.assertEqual(sum(e["docs"] for e in manifest["segments"]), 5)
        self.assertEqual(self.sources(Store(self.path), query), expected)
        files_before = set(self.path.glob("*.npy"))
        manifest = Store(self.path).rebuild()
        self.assertEqual((manifest["references"], len(manifest["segments"])), (12, 1))
        self.assertTrue(files_before.isdisjoint(set(self.path.glob("*.npy"))), "old segments removed")
        self.assertEqual(self.sources(Store(self.path), query), expected)

    def test_a_deleted_reference_leaves_the_tail(self) -> None:
        doc = ReferenceDocument.objects.create(title="条例", text="".join(SENTENCES), digest="a")
        store = Store(self.path)
        self.assertEqual(store.index().doc_count, 1)
        doc.delete()
        self.assertEqual(store.index().doc_count, 0)

    def test_the_commands_rebuild_and_describe_the_index(self) -> None:
        add(4)
        out = StringIO()
        call_command("essays", "reindex", stdout=out, stderr=StringIO())
        self.assertIn("4篇参考文献", out.getvalue())
        out = StringIO()
        call_command("essays", "index", stdout=out)
        described = json.loads(out.getvalue())
        self.assertEqual((described["references"], len(described["segments"])), (4, 1))
        self.assertGreater(described["bytes"], 0)


class StaleIndexTest(TestCase):
    def test_an_index_of_another_database_is_ignored(self) -> None:
        path = settings.CHUXIN_ORIGINALITY_DIR
        docs = add(3)
        Store(path).rebuild()
        ReferenceDocument.objects.all().delete()  # a new demo, a restored backup: ids below the index's marks
        ReferenceDocument.objects.create(pk=docs[0].pk, title="新", text=OWN[0] * 2, digest="n")
        with self.assertLogs("essays.store", "WARNING"):
            index = Store(path).index()
        self.assertEqual(index.doc_count, 1, "only the tail from this database")
