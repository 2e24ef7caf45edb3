"""API endpoints of the orgs app: each viewset is its attributes plus the domain's extra actions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.registry import api_route
from core.api.serializers import ChangelogMessageSerializer
from core.api.viewsets import ScopedModelViewSet, call_service
from core.choices import Action
from orgs import services
from orgs.api import serializers
from orgs.filtersets import MemberFilterSet, OrganizationFilterSet, RoleGrantFilterSet, TransferFilterSet
from orgs.models import Member, Organization, RoleGrant, Transfer


@api_route("orgs", "organization")
class OrganizationViewSet(ScopedModelViewSet):
    """Party organizations in the user's scope; ``org=ID`` lists that organization's whole subtree."""

    queryset = Organization.objects.all()
    serializer_class = serializers.OrganizationSerializer
    filterset_class = OrganizationFilterSet
    create_service = services.create_organization
    update_service = services.update_organization
    delete_service = services.delete_organization


@api_route("members", "member")
class MemberViewSet(ScopedModelViewSet):
    """Members and people on the way to membership; ID numbers and phones are masked on output."""

    queryset = Member.objects.select_related("org")
    serializer_class = serializers.MemberSerializer
    filterset_class = MemberFilterSet
    create_service = services.create_member
    update_service = services.update_member
    delete_service = services.delete_member
    action_permissions = {"reveal": Action.REVEAL}

    @extend_schema(request=serializers.RevealSerializer, responses=serializers.RevealedSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: Any = None) -> Response:
        """The full ID number or phone number; every call is written to the change log."""
        body = serializers.RevealSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        field = body.validated_data["field"]
        value = services.reveal(self.get_object(), field, acting_user=request.user)
        return Response({"field": field, "value": value})


@api_route("transfers", "transfer")
class TransferViewSet(ScopedModelViewSet):
    """Transfers of 组织关系: the sending side starts one, the receiving side confirms or rejects it."""

    queryset = Transfer.objects.select_related("member")
    serializer_class = serializers.TransferSerializer
    filterset_class = TransferFilterSet
    create_service = services.start_transfer
    update_service = None
    delete_service = None

    @extend_schema(request=serializers.TransferReplySerializer, responses=serializers.TransferSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: Any = None) -> Response:
        """Receive the member: their record moves to the receiving branch."""
        reply = self._body(serializers.TransferReplySerializer).get("reply", "")
        transfer = call_service(services.confirm_transfer, self.get_object(), acting_user=request.user, reply=reply)
        return Response(self.get_serializer(transfer).data)

    @extend_schema(request=serializers.TransferReplySerializer, responses=serializers.TransferSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: Any = None) -> Response:
        """Send the transfer back to the sending side; ``reply`` must give the reason."""
        reply = self._body(serializers.TransferReplySerializer).get("reply", "")
        transfer = call_service(services.reject_transfer, self.get_object(), acting_user=request.user, reply=reply)
        return Response(self.get_serializer(transfer).data)

    @extend_schema(request=ChangelogMessageSerializer, responses=serializers.TransferSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        """Withdraw a pending transfer (sending side only)."""
        message = self._body(ChangelogMessageSerializer).get("changelog_message", "")
        transfer = call_service(services.cancel_transfer, self.get_object(), acting_user=request.user,
                                message=message)
        return Response(self.get_serializer(transfer).data)

    def _body(self, serializer_class: Any) -> dict[str, Any]:
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        return dict(body.validated_data)


@api_route("grants", "rolegrant")
class RoleGrantViewSet(ScopedModelViewSet):
    """Role grants ("role R on subtree S"); only administrators grant the administrator role."""

    queryset = RoleGrant.objects.select_related("user")
    serializer_class = serializers.RoleGrantSerializer
    filterset_class = RoleGrantFilterSet
    create_service = services.grant_role
    update_service = None
    delete_service = services.revoke_grant
