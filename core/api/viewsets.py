"""The one generic API viewset: scoped reads, writes through the app's services.

A per-model viewset is a handful of attributes (NetBox ``netbox/api/viewsets``)::

    @api_route("members", "member")
    class MemberViewSet(ScopedModelViewSet):
        queryset = Member.objects.select_related("org")
        serializer_class = MemberSerializer
        filterset_class = MemberFilterSet
        create_service = services.create_member
        update_service = services.update_member
        delete_service = services.delete_member

Reads go through ``queryset.restrict(user, "view")``, so an object outside the scope is a 404 exactly
like a missing one. A write needs the object's write action (``change``; see ``action_permissions``),
otherwise 403; the service then re-checks the scope inside its transaction and writes the change log
with the request's ``changelog_message``. A service left as ``None`` removes that method from the
endpoint (and from the schema).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.settings import api_settings

from core import services as core_services
from core.api.permissions import ScopedObjectPermission
from core.choices import Action

Service = Callable[..., Any]
ALL_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")

# ``org=ID`` is an organization id; the schema generator cannot infer that on models without an ``org``
# field (organizations themselves, the change log). This annotation belongs on the class in core/filtersets.py.


def drf_validation_error(exc: DjangoValidationError) -> serializers.ValidationError:
    """Django's per-field errors as DRF's, with ``__all__`` under the usual ``non_field_errors`` key."""
    detail = serializers.as_serializer_error(exc)
    if NON_FIELD_ERRORS in detail:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
    return serializers.ValidationError(detail)


def call_service(service: Service, *args: Any, **kwargs: Any) -> Any:
    """Run a service, turning its model validation errors into a 400 with per-field messages."""
    try:
        return service(*args, **kwargs)
    except DjangoValidationError as exc:
        raise drf_validation_error(exc) from exc


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """List and detail of a scoped model; the base of ``ScopedModelViewSet``."""

    queryset: models.QuerySet[Any]
    permission_classes = [ScopedObjectPermission]

    def get_queryset(self) -> models.QuerySet[Any]:
        # ``all()`` first: ``restrict`` returns its queryset unchanged for administrators, and the class
        # attribute must never be evaluated (and cached) itself.
        return self.queryset.all().restrict(self.request.user, Action.VIEW)  # type: ignore[attr-defined]


class ScopedModelViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, ScopedReadOnlyViewSet
):
    """Create, read, update and delete a scoped model through its services.

    Attributes:
        queryset: the model's queryset, with the ``select_related`` its serializer needs.
        serializer_class: a ``ScopedModelSerializer``.
        filterset_class: the FilterSet the list page uses too.
        create_service: ``f(obj, *, acting_user, message)`` saving an unsaved instance, or ``None``.
        update_service: ``f(obj, *, acting_user, changes, message)``, or ``None``.
        delete_service: ``f(obj, *, acting_user, message)``, or ``None``.
        action_permissions: the scope action an unsafe view action needs, when not ``change``
            (``{"reveal": Action.REVEAL}``).
    """

    create_service: ClassVar[Service | None] = core_services.create_object
    update_service: ClassVar[Service | None] = core_services.update_object
    delete_service: ClassVar[Service | None] = core_services.delete_object
    action_permissions: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "http_method_names" in cls.__dict__:
            return
        absent: set[str] = set()
        if cls.update_service is None:
            absent |= {"put", "patch"}
        if cls.delete_service is None:
            absent.add("delete")
        cls.http_method_names = [m for m in ALL_METHODS if m not in absent]

    def required_action(self) -> str:
        """The scope action the current unsafe request needs on its object."""
        return self.action_permissions.get(self.action or "", Action.CHANGE)

    def service(self, name: str) -> Service:
        # Read from the class so that a plain function attribute is not bound as a method.
        func = getattr(type(self), f"{name}_service")
        if func is None:
            raise MethodNotAllowed(self.request.method or "")
        return func

    def create(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        self.service("create")  # 405 before validating a body that could not be used anyway
        return super().create(request, *args, **kwargs)

    def changelog_message(self, serializer: Any) -> str:
        """Take the message, and any other field that is not the model's, out of the validated data."""
        data = serializer.validated_data
        message = data.pop("changelog_message", "") or ""
        for name in getattr(serializer, "non_model_fields", ()):
            data.pop(name, None)
        return message

    def perform_create(self, serializer: Any) -> None:
        create = self.service("create")
        message = self.changelog_message(serializer)
        obj = serializer.build_instance(dict(serializer.validated_data))
        serializer.instance = call_service(create, obj, acting_user=self.request.user, message=message)

    def perform_update(self, serializer: Any) -> None:
        update = self.service("update")
        message = self.changelog_message(serializer)
        serializer.instance = call_service(
            update, serializer.instance, acting_user=self.request.user, changes=dict(serializer.validated_data),
            message=message,
        ) or serializer.instance

    def perform_destroy(self, instance: models.Model) -> None:
        delete = self.service("delete")
        message = ""
        if isinstance(self.request.data, dict):
            message = str(self.request.data.get("changelog_message", ""))[:500]
        call_service(delete, instance, acting_user=self.request.user, message=message)


__all__ = ["ScopedModelViewSet", "ScopedReadOnlyViewSet", "call_service", "drf_validation_error"]
