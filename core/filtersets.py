"""FilterSet bases shared by list pages and the API: organization subtree, free text, sorting."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field


def visible_orgs(request: Any) -> QuerySet[Any]:
    from orgs.models import Organization

    user = getattr(request, "user", None)
    return Organization.objects.restrict(user, "view").only("pk", "name", "path")


@extend_schema_field(OpenApiTypes.INT)
class SubtreeFilter(django_filters.ModelChoiceFilter):
    """``org=ID`` keeps the rows of that organization's whole subtree (one prefix condition)."""

    def __init__(self, *args: Any, path_field: str = "org_path", **kwargs: Any) -> None:
        self.path_field = path_field
        kwargs.setdefault("queryset", visible_orgs)
        kwargs.setdefault("label", _("组织（含下级）"))
        kwargs.setdefault("error_messages", {"invalid_choice": _("找不到这个组织，或它不在您的查看范围内")})
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if not value:
            return qs
        return qs.filter(**{f"{self.path_field}__subtree": value.path})


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    """Any of several values of a column of the model itself (``status=full&status=probationary``).

    Without ``DISTINCT``: django-filter adds it by default in case the field is a to-many relation whose
    joins repeat rows; a column of the model cannot repeat one, and ``SELECT DISTINCT`` over every column
    makes the database sort the whole filtered set first (a province's 80,000 problems waiting for review:
    1.1 s for the first page).
    """

    def __init__(self, *args: Any, distinct: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, distinct=distinct, **kwargs)


class Ordering(django_filters.OrderingFilter):
    """``sort=name,-deadline`` as people expect it: a column of choices in the order of its choices (申请人,
    积极分子, 发展对象 …, not by the stored codes), and empty values last either way. Ties end by key, so
    that the pages of a list neither repeat nor skip rows."""

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if not value:
            return qs
        ordering: list[Any] = []
        for param in value:
            if not param:
                continue
            name = self.get_ordering_value(param)
            descending = name.startswith("-")
            name = name.lstrip("-")
            expression: Any = models.F(name)
            try:
                field = qs.model._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
            choices = field is not None and getattr(field, "choices", None)
            if choices:
                # A value that is not one of the choices (an empty one) ranks as empty: last.
                expression = models.Case(
                    *(models.When(**{name: choice}, then=i) for i, (choice, _label) in enumerate(field.flatchoices)),
                    default=models.Value(None), output_field=models.IntegerField())
            # Only where there can be empty values: NULLS LAST keeps SQLite from reading an index in order.
            nulls_last = True if choices or field is None or field.null else None
            ordering.append(expression.desc(nulls_last=nulls_last) if descending
                            else expression.asc(nulls_last=nulls_last))
        return qs.order_by(*ordering, "pk") if ordering else qs


# The largest value an integer filter takes: beyond it SQLite cannot bind the number (a 500 otherwise).
MAX_INTEGER = 2**63 - 1
# The years a year filter takes: a date's year lookup builds the year's first and last day (and a moment's,
# in local time), which Python cannot for year 0 or 10000 nor, across the time zone, for years 1 and 9999.
YEARS = (1900, 2100)


class YearFilter(django_filters.NumberFilter):
    """A whole year (``year=2026``) of a date or a moment (``field_name="start__year"``), or a year column."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", YEARS[0])
        kwargs.setdefault("max_value", YEARS[1])
        super().__init__(*args, **kwargs)


def references(filterset: django_filters.FilterSet) -> dict[str, models.Field]:
    """The number filters that take the primary key of a related record (``campaign=3``), by filter name,
    with the model field they filter on. Pages set them from links (a campaign's problems), not by typing."""
    model = filterset._meta.model
    found: dict[str, models.Field] = {}
    for name, filter_ in filterset.filters.items():
        if not isinstance(filter_, django_filters.NumberFilter) or model is None:
            continue
        try:
            field = model._meta.get_field(filter_.field_name)
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.ForeignKey):
            found[name] = field
    return found


class YesNoSelect(forms.Select):
    """全部/是/否 for a yes/no filter. Reads ``true``/``True``/``1`` (and the ``2``/``3`` of Django's older
    yes/no widget) alike, and shows the option that was asked for however it was spelled."""

    YES = {"true", "1", "2", "yes"}
    NO = {"false", "0", "3", "no"}

    def normalize(self, value: Any) -> str:
        text = str(value).strip().lower() if value is not None else ""
        return "true" if text in self.YES else "false" if text in self.NO else ""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return self.normalize(data.get(name)) or None

    # A choice widget formats its value as a list of the selected options.
    def format_value(self, value: Any) -> list[str]:  # type: ignore[override]
        return [self.normalize(value)]


class BoundedFilterSet(django_filters.FilterSet):
    """Number filters take only what the database can bind (beyond it: a form error, 400 in the API, not a
    500). The base of every filter set, scoped or not."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():
            if isinstance(filter_, django_filters.NumberFilter):
                filter_.__dict__.pop("_field", None)  # a field built before would keep old bounds
                filter_.extra.setdefault("min_value", -MAX_INTEGER)
                filter_.extra.setdefault("max_value", MAX_INTEGER)


class ScopedFilterSet(BoundedFilterSet):
    """Base: ``org`` (subtree) and ``q`` (free text over ``search_fields``); subclasses list the rest.

    On a page every control says what it filters: selects start with "<label>：全部", a yes/no filter is
    a select of "<label>：全部/是/否", number boxes carry their label as placeholder, and filters by a related record's
    key are hidden fields that the list shows as a removable chip (``filter_chips``).
    """

    search_fields: ClassVar[tuple[str, ...]] = ("name__icontains",)
    org = SubtreeFilter()
    q = django_filters.CharFilter(
        method="search", label=_("搜索"), widget=forms.TextInput(attrs={"placeholder": _("搜索"), "type": "search"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hidden = references(self)
        for name, filter_ in self.filters.items():
            filter_.__dict__.pop("_field", None)  # a field built before (at class level) would keep old options
            label = filter_.label or name
            everything = format_lazy(_("{label}：全部"), label=label)
            if isinstance(filter_, django_filters.NumberFilter):
                filter_.extra["widget"] = (forms.HiddenInput if name in hidden
                                           else forms.NumberInput(attrs={"placeholder": label}))
            elif isinstance(filter_, django_filters.BooleanFilter):
                # Each option names the filter: a chosen "是" alone would not say what is yes.
                filter_.extra["widget"] = YesNoSelect(choices=[
                    ("", everything), ("true", format_lazy(_("{label}：是"), label=label)),
                    ("false", format_lazy(_("{label}：否"), label=label))])
            elif isinstance(filter_, django_filters.ChoiceFilter | django_filters.ModelChoiceFilter):
                filter_.extra["empty_label"] = everything

    def search(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        if not value:
            return qs
        q = Q()
        for lookup in self.search_fields:
            q |= Q(**{lookup: value})
        return qs.filter(q)


def filter_chips(filterset: django_filters.FilterSet, request: Any) -> list[dict[str, Any]]:
    """The reference filters in force on a list page, each as label, the record's name (as far as the user
    may see it; its number otherwise) and the query that drops it."""
    if not filterset.is_bound or not filterset.is_valid():
        return []
    chips = []
    for name, field in references(filterset).items():
        value = filterset.form.cleaned_data.get(name)
        if value is None:
            continue
        obj = visible_record(field.related_model, int(value), getattr(request, "user", None))
        query = request.GET.copy()
        query.pop(name, None)
        query.pop("page", None)
        chips.append({"label": filterset.filters[name].label or name,
                      "name": str(obj) if obj is not None else f"#{int(value)}", "query": query.urlencode()})
    return chips


def visible_record(model: Any, pk: int, user: Any) -> Any:
    """The record ``pk`` of ``model`` if ``user`` may see it: through the scope for a model in the tree,
    through the scoped record it belongs to for one that is not (a campaign's category); ``None`` otherwise."""
    rows: Any = model._default_manager.all()
    if hasattr(model, "scope_path_field"):
        return rows.restrict(user, "view").filter(pk=pk).first()
    for parent in model._meta.concrete_fields:
        related = getattr(parent, "related_model", None)
        if isinstance(parent, models.ForeignKey) and related is not None and hasattr(related, "scope_path_field"):
            visible = related._default_manager.restrict(user, "view")
            return rows.filter(pk=pk, **{f"{parent.name}__in": visible}).first()
    return None
