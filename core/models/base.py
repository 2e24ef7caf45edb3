"""Abstract bases that carry the shared features, so a concrete model is fields, Meta and ``__str__``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.fields import TreePathField
from core.scoping import ScopedQuerySet


class TimestampedModel(models.Model):
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class ScopedModel(TimestampedModel):
    """A model whose rows belong to a place in the organization tree and are read through ``restrict``.

    ``scope_path_field`` names the tree-path column the scope is matched against; ``self_scope_q``
    says which rows the member role (self-service) may see, or ``None`` for none.
    """

    scope_path_field: ClassVar[str] = "org_path"
    # Fields the change log records only masked, each with its mask (``changelog_data`` applies them).
    changelog_masks: ClassVar[dict[str, Callable[[Any], Any]]] = {}

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        return None

    # A model may also define ``reaching_q(path) -> Q | None``: rows kept above a granted subtree that
    # concern it (an activity a committee holds for its whole subtree), visible to the subtree's managers.

    def changelog_parent(self) -> models.Model | None:
        """The object whose history also shows this object's changes (usually its organization)."""
        return None

    def changelog_data(self) -> dict[str, Any]:
        """The values recorded before and after a change; concrete fields, JSON-safe, ``changelog_masks``
        applied. A model that records more than that overrides this (the import engine then builds its change
        log in Python rather than in the database, see ``core.imports.changes``)."""
        from core.changelog import serialize

        data = serialize(self)
        for name, mask in self.changelog_masks.items():
            data[name] = mask(getattr(self, name))
        return data


class OrgOwnedModel(ScopedModel):
    """A record kept by one organization; ``org_path`` copies the organization's path for one-column scoping."""

    org = models.ForeignKey(
        "orgs.Organization", verbose_name=_("所在组织"), on_delete=models.PROTECT, related_name="+"
    )
    org_path = TreePathField()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.org_path = self.org.path
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "org" in update_fields:
            kwargs["update_fields"] = {*update_fields, "org_path"}
        super().save(*args, **kwargs)

    def changelog_parent(self) -> models.Model | None:
        return self.org
