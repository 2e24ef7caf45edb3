"""The materialized tree path and the one lookup that expresses "inside this subtree".

A path is the chain of organization primary keys from the root, each followed by a dot: ``"1.7.42."``.
"Inside subtree P" is a single prefix condition on an indexed column, so its cost depends only on the
size of the subtree, never on the size of the whole tree.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import models
from django.db.models import Lookup, Q

PATH_RE = re.compile(r"^(\d+\.)+$")


def path_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix`` (which ends with ``.``)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class TreePathField(models.CharField):
    """A materialized path; indexed, and compared byte by byte."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)


@TreePathField.register_lookup
class Subtree(Lookup):
    """``path__subtree="1.7."``: the node with that path and everything below it.

    SQLite compares text bytewise (BINARY collation), so a half-open range uses the index directly.
    PostgreSQL columns usually carry a linguistic collation in which ``.`` and ``/`` do not sort by
    byte, so there the condition is ``LIKE 'prefix%'``, which Django backs with a ``*_like`` index
    built with ``varchar_pattern_ops``.
    """

    lookup_name = "subtree"

    def _prefix(self) -> str:
        prefix = self.rhs
        if not isinstance(prefix, str) or not PATH_RE.match(prefix):
            raise ValueError(f"not a tree path: {prefix!r}")
        return prefix

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        prefix = self._prefix()
        return f"({lhs} >= %s AND {lhs} < %s)", [*lhs_params, prefix, *lhs_params, path_upper_bound(prefix)]

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} LIKE %s", [*lhs_params, self._prefix() + "%"]


PATH_COLUMNS = frozenset({"path", "org_path", "from_org_path", "to_org_path", "activity_org_path", "exam_org_path",
                          "related_org_path"})


def path_index(*fields: str, name: str, condition: Q | None = None) -> models.Index:
    """A composite index whose tree-path columns serve ``subtree`` on PostgreSQL too.

    There the lookup is ``LIKE 'prefix%'``, which a B-tree uses only with ``varchar_pattern_ops`` (the
    column's linguistic collation does not sort by byte); other databases ignore the operator classes.
    With a ``condition`` the index is partial: it holds only the rows that meet it.
    """
    return models.Index(fields=list(fields), name=name, condition=condition,
                        opclasses=["varchar_pattern_ops" if f in PATH_COLUMNS else "" for f in fields])
