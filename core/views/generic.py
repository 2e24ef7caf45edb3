"""Generic list / detail / edit / delete / history views; a model's screens are a few attributes.

Every view reads through ``queryset.restrict(user, action)``: an object outside the user's scope is a
404 exactly like a missing one; an object the user may see but not change is a 403. Writes go through
the service functions the subclass names, never through ``form.save()``.
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.changelog import history_for
from core.choices import Action
from core.filtersets import filter_chips
from core.models import ObjectChange
from core.scoping import ScopedQuerySet, can, get_scope
from core.tables import Table
from core.text import nested

PAGE_SIZES = (25, 50, 100)
# The hidden field of an edit form that carries the record's ``updated`` moment as it was when the form was served.
VERSION_FIELD = "chuxin_version"


class ChangelogMessageMixin(forms.Form):
    changelog_message = forms.CharField(
        label=gettext_lazy("修改说明"), required=False, max_length=500,
        help_text=gettext_lazy("可选，记入变更记录"),
    )


class ScopedView(LoginRequiredMixin, View):
    queryset: ClassVar[ScopedQuerySet[Any]]
    action: ClassVar[str] = Action.VIEW

    def get_queryset(self) -> ScopedQuerySet[Any]:
        return self.queryset.all().restrict(self.request.user, self.action)

    def get_object(self, pk: Any) -> Any:
        return get_object_or_404(self.get_queryset(), pk=pk)

    @property
    def model(self) -> type[models.Model]:
        return self.queryset.model

    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)


class ObjectListView(ScopedView):
    """Filter (the model's FilterSet), sort, paginate, and export exactly the filtered rows."""

    filterset: ClassVar[Any]
    table: ClassVar[type[Table]]
    template_name: ClassVar[str] = "core/object_list.html"
    export_resource: ClassVar[Any] = None
    add_url_name: ClassVar[str | None] = None
    import_slug: ClassVar[str | None] = None
    title: ClassVar[Any] = None
    # More write actions next to "new": (url name, label, bootstrap icon), shown to those who may add.
    extra_actions: ClassVar[tuple[tuple[str, Any, str], ...]] = ()

    def filtered(self, request: HttpRequest) -> tuple[Any, models.QuerySet[Any]]:
        qs = self.get_queryset()
        if self.table.select_related:
            qs = qs.select_related(*self.table.select_related)
        filterset = self.filterset(request.GET or None, queryset=qs, request=request)
        if filterset.is_bound and not filterset.is_valid():
            return filterset, qs.none()
        rows = filterset.qs
        if not request.GET.get("sort"):
            rows = rows.order_by(*self.table.default_sort)
        return filterset, rows

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        filterset, rows = self.filtered(request)
        fmt = request.GET.get("export")
        if fmt:
            if self.export_resource is None:
                raise Http404
            return self.export(rows, fmt)
        try:
            per_page = int(request.GET.get("per_page", PAGE_SIZES[0]))
        except ValueError:
            per_page = PAGE_SIZES[0]
        paginator = Paginator(rows, per_page if per_page in PAGE_SIZES else PAGE_SIZES[0])
        page = paginator.get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, self.template_name, {
            "title": self.title or self.model._meta.verbose_name_plural,
            "filterset": filterset,
            "filter_chips": filter_chips(filterset, request),
            "table": self.table(page.object_list, sort=request.GET.get("sort", ""), user=request.user),
            "page": page,
            "query": query.urlencode(),
            "query_without_sort": _without(query, "sort"),
            "query_pairs_without_sort": [(k, v) for k, values in query.lists() if k != "sort" for v in values],
            "export_enabled": self.export_resource is not None,
            "add_url_name": self.add_url_name if self.can_add() else None,
            "import_slug": self.import_slug if self.can_add() else None,
            "extra_actions": self.extra_actions if self.can_add() else (),
            "page_sizes": PAGE_SIZES,
            **self.get_extra_context(),
        })

    def can_add(self) -> bool:
        return not get_scope(self.request.user, Action.CHANGE).empty

    def get_extra_context(self) -> dict[str, Any]:
        return {}

    def resource(self) -> Any:
        """The export resource class."""
        resource = self.export_resource
        return import_string(resource) if isinstance(resource, str) else resource

    def export(self, rows: models.QuerySet[Any], fmt: str) -> HttpResponseBase:
        """A download of the filtered rows; a long one becomes a background task (``core.imports.exports``)."""
        from core.imports.engine import export_response
        from core.imports.exports import start_export, task_rows

        if fmt not in ("xlsx", "csv"):
            raise Http404
        count = rows.count()
        if count > task_rows():
            task = start_export(self, fmt, count)
            return HttpResponseRedirect(reverse("task_detail", args=[task.pk]))
        return export_response(self.resource(), rows, fmt, user=self.request.user)


def _without(query: Any, key: str) -> str:
    copy = query.copy()
    copy.pop(key, None)
    return copy.urlencode()


class ObjectDetailView(ScopedView):
    template_name: ClassVar[str]

    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        obj = self.get_object(pk)
        return render(request, self.template_name, {
            "object": obj,
            "can_change": can(request.user, Action.CHANGE, obj),
            **self.get_extra_context(obj),
        })

    def get_extra_context(self, obj: Any) -> dict[str, Any]:
        return {}


class ObjectEditView(ScopedView):
    """Create (no pk) or edit an object. Subclasses name the form and the services to call.

    ``create(obj, *, acting_user, message)`` and ``update(obj, *, acting_user, changes, message)`` are
    staticmethods pointing at the model's services; ``initial_object()`` prepares a new instance.
    """

    form_class: ClassVar[type[forms.ModelForm[Any]]]
    template_name: ClassVar[str] = "core/object_edit.html"

    def create(self, obj: Any, *, acting_user: Any, message: str) -> Any:
        raise NotImplementedError

    def update(self, obj: Any, *, acting_user: Any, changes: dict[str, Any], message: str) -> Any:
        raise NotImplementedError

    def initial_object(self) -> Any:
        return self.model()

    def load(self, pk: Any | None) -> Any:
        if pk is None:
            if get_scope(self.request.user, Action.CHANGE).empty:
                # Nowhere to put a new record: a form whose every choice is empty could only be refused.
                raise PermissionDenied(_("您没有可以新建记录的管理范围"))
            return self.initial_object()
        obj = self.get_object(pk)
        if not can(self.request.user, Action.CHANGE, obj):
            raise PermissionDenied(_("您只有查看权限"))
        return obj

    def make_form(self, obj: Any, data: Any = None, files: Any = None) -> forms.ModelForm[Any]:
        form_class = type("EditForm", (self.form_class, ChangelogMessageMixin), {})
        return form_class(data=data, files=files, instance=obj, user=self.request.user)  # type: ignore[call-arg]

    def get(self, request: HttpRequest, pk: Any | None = None) -> HttpResponse:
        obj = self.load(pk)
        return self.render_form(obj, self.make_form(obj))

    def post(self, request: HttpRequest, pk: Any | None = None) -> HttpResponse:
        obj = self.load(pk)
        form = self.make_form(obj, request.POST, request.FILES)
        version = request.POST.get(VERSION_FIELD, "")
        if form.is_valid():
            message = form.cleaned_data.pop("changelog_message", "")
            try:
                if pk is None:
                    obj = self.create(form.instance, acting_user=request.user, message=message)
                else:
                    changes = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data
                               and name != "changelog_message"}
                    with transaction.atomic():
                        conflict = edited_meanwhile(obj, version, changes)
                        if conflict:
                            form.add_error(None, conflict)
                            return self.render_form(obj, form, status=409, version=version)
                        if not changes:
                            # Nothing differs from the stored record (a form sent twice, or saved as it was):
                            # there is nothing to write, and saving would only move its version on.
                            messages.info(request, _("“%(obj)s”已是提交的内容，无需再保存") % {"obj": obj})
                            return HttpResponseRedirect(self.success_url(obj))
                        obj = self.update(obj, acting_user=request.user, changes=changes, message=message)
            except ValidationError as exc:
                _add_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or _("不在您的管理范围内"))
                return self.render_form(obj, form, status=403, version=version)
            else:
                messages.success(request, _("已保存“%(obj)s”") % {"obj": nested(str(obj))})
                return HttpResponseRedirect(self.success_url(obj))
        return self.render_form(obj, form, version=version)

    def success_url(self, obj: Any) -> str:
        return str(obj.get_absolute_url())

    def render_form(
        self, obj: Any, form: forms.BaseForm, status: int = 200, version: str | None = None,
    ) -> HttpResponse:
        return render(self.request, self.template_name, status=status, context={
            "object": obj if obj.pk else None, "form": form, "verbose_name": self.verbose_name(),
            "cancel_url": obj.get_absolute_url() if obj.pk else self.request.GET.get("next", "/"),
            "version_field": VERSION_FIELD, "version": version if version is not None else version_of(obj),
        })


def query_id(value: Any) -> int | None:
    """A key given in a query string (``?org=12``): a whole number that fits a key column, else ``None``
    (a page asked for ``?org=abc`` answers as for a missing object, not with a server error)."""
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def version_of(obj: models.Model) -> str:
    """The record's ``updated`` moment as an edit form carries it ("" for new records and models without one)."""
    updated = getattr(obj, "updated", None) if obj.pk else None
    return updated.isoformat() if isinstance(updated, datetime.datetime) else ""


def edited_meanwhile(obj: models.Model, version: str, changes: dict[str, Any]) -> str | None:
    """Why saving a form served at ``version`` would overwrite someone else's edit, or ``None``.

    The row is locked until the caller's transaction ends, so nobody can change it between this check and
    the save. A form without a version (an older page, a script) is not checked. Neither is one that
    changes nothing the record does not already hold: a form sent twice (a double click) finds its own first
    save, and writing the same values overwrites nobody. ``changes`` is pruned to the fields whose stored
    value still differs.
    """
    if not version or not hasattr(obj, "updated"):
        return None
    current = type(obj)._default_manager.select_for_update().filter(pk=obj.pk).first()
    stored = getattr(current, "updated", None)
    if current is None or stored is None or stored.isoformat() == version:
        return None
    for name in [n for n, value in changes.items() if _same_value(current, n, value)]:
        del changes[name]
    if not changes:
        return None
    last = (ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
            .order_by("-time", "-pk").first())
    who = (last.user_name or _("系统")) if last is not None else _("其他人")
    return _("您打开此页后，%(who)s于%(time)s修改了这条记录。为免覆盖对方的修改，本次未保存；请刷新页面，"
             "在最新内容上重新修改。") % {"who": who, "time": f"{timezone.localtime(stored):%Y-%m-%d %H:%M}"}


def _same_value(obj: models.Model, name: str, value: Any) -> bool:
    """Whether ``obj`` already holds ``value`` in field ``name`` (a form's cleaned value); many-to-many
    fields and other non-concrete ones are never taken as equal."""
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    if not isinstance(field, models.Field) or not field.concrete or field.many_to_many:
        return False
    if field.is_relation:
        return bool(getattr(obj, field.attname) == getattr(value, "pk", value))
    return bool(getattr(obj, field.attname) == value)


def error_messages(exc: ValidationError) -> list[str]:
    """Every message of a service's ``ValidationError``, per-field or not, for a page's message area."""
    if hasattr(exc, "error_dict"):
        return [m for errors in exc.message_dict.values() for m in errors]
    return list(exc.messages)


def _add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's refusal on the form: each message under the field it names (through the form's
    ``text_fields`` when a model field is typed as text there), the rest above the form."""
    if hasattr(exc, "error_dict"):
        renamed = getattr(form, "text_fields", {})
        for field, errors in exc.message_dict.items():
            field = renamed.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ObjectDeleteView(ScopedView):
    template_name: ClassVar[str] = "core/object_delete.html"

    def delete(self, obj: Any, *, acting_user: Any, message: str) -> None:
        raise NotImplementedError

    def success_url(self, obj: Any) -> str:
        parent = obj.changelog_parent() if hasattr(obj, "changelog_parent") else None
        return parent.get_absolute_url() if parent is not None and hasattr(parent, "get_absolute_url") else "/"

    def get_writable_object(self, pk: Any) -> Any:
        """The object, to someone who may change it; a reader gets 403 before any rule of the delete is told
        (what still depends on the object is not theirs to learn)."""
        obj = self.get_object(pk)
        if not can(self.request.user, Action.CHANGE, obj):
            raise PermissionDenied(_("您只有查看权限"))
        return obj

    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        obj = self.get_writable_object(pk)
        return render(request, self.template_name, {"object": obj, "verbose_name": self.verbose_name()})

    def post(self, request: HttpRequest, pk: Any) -> HttpResponse:
        obj = self.get_writable_object(pk)
        target = self.success_url(obj)
        try:
            self.delete(obj, acting_user=request.user, message=request.POST.get("changelog_message", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(obj.get_absolute_url())
        messages.success(request, _("已删除“%(obj)s”") % {"obj": obj})
        return HttpResponseRedirect(target)


class ObjectHistoryView(ScopedView):
    """The change log of one object and of its children (a member's changes on its organization)."""

    template_name: ClassVar[str] = "core/object_history.html"

    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        obj = self.get_object(pk)
        page = Paginator(history_for(obj, request.user), 25).get_page(request.GET.get("page"))
        return render(request, self.template_name, {"object": obj, "page": page, "verbose_name": self.verbose_name()})
