"""Moving a subtree: rewrite every tree-path column of every model in one UPDATE per column."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Model, Value
from django.db.models.functions import Concat, Substr

from core.fields import TreePathField


def ancestor_paths(path: str) -> list[str]:
    """``"1.7.42."`` → ``["1.", "1.7.", "1.7.42."]``: the organizations whose subtree holds ``path``."""
    parts = path.split(".")[:-1]
    return [".".join(parts[: i + 1]) + "." for i in range(len(parts))]


def tree_path_columns() -> list[tuple[type[Model], str]]:
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, TreePathField)
    ]


def repath(old: str, new: str) -> None:
    """Replace the prefix ``old`` by ``new`` in every path in the subtree ``old``, in every model."""
    for model, name in tree_path_columns():
        model._default_manager.filter(**{f"{name}__subtree": old}).update(
            **{name: Concat(Value(new), Substr(name, len(old) + 1))}
        )
