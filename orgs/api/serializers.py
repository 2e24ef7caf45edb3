"""Serializers of organizations, members, transfers and role grants.

Tree paths stay internal (they are an index, not data); relations are plain ids. Members' ID numbers
and phones are always masked on the way out; the full value is read through the ``reveal`` action.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.serializers import ScopedModelSerializer
from core.choices import Role
from orgs import rules
from orgs.choices import TransferStatus
from orgs.models import Member, Organization, RoleGrant, Transfer


class OrganizationSerializer(ScopedModelSerializer):
    """A party organization; ``parent`` is the id of the organization above it."""

    class Meta:
        model = Organization
        fields = ["id", "url", "code", "name", "kind", "parent", "depth", "unit_name", "is_village", "has_committee",
                  "established", "term_start", "term_end", "note", "changelog_message"]
        read_only_fields = ["depth"]


class MemberSerializer(ScopedModelSerializer):
    """A member record; ``id_number`` and ``phone`` are masked when read and taken in full when written."""

    org_name = serializers.CharField(source="org.name", read_only=True)

    class Meta:
        model = Member
        fields = ["id", "url", "org", "org_name", "group", "name", "gender", "ethnicity", "birth_date", "id_number",
                  "phone", "education", "workplace", "job", "category", "status", "application_date",
                  "activist_date", "candidate_date", "admission_date", "conversion_date", "user", "note",
                  "changelog_message"]
        read_only_fields = ["user"]
        extra_kwargs = {
            "id_number": {"help_text": _("输出时脱敏；写入时填写完整身份证号")},
            "phone": {"help_text": _("输出时脱敏；写入时填写完整号码")},
        }

    def to_representation(self, instance: Member) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["id_number"] = instance.id_number_masked
        data["phone"] = instance.phone_masked
        request = self.context.get("request")
        shown = instance.birth_date_for(getattr(request, "user", None))
        data["birth_date"] = shown if isinstance(shown, str) else data["birth_date"]
        return data

    def validate_id_number(self, value: str | None) -> str | None:
        # A blank ID number is "unknown" (NULL), so that any number of members may lack one.
        value = value.strip() or None if value else None
        return self._keep_if_masked("id_number", value)

    def validate_phone(self, value: str) -> str:
        return self._keep_if_masked("phone", value) or ""

    def _keep_if_masked(self, name: str, value: str | None) -> str | None:
        """A masked value sent back (what GET returned) means "unchanged", as in the edit form."""
        instance = self.instance if isinstance(self.instance, Member) else None
        return rules.unmasked(name, value, getattr(instance, name) if instance is not None else None)


class RevealSerializer(serializers.Serializer):
    """Which personal field to read in full."""

    field = serializers.ChoiceField(choices=[("id_number", _("身份证号")), ("phone", _("手机号码"))])


class RevealedSerializer(serializers.Serializer):
    """A revealed personal field (the read is written to the change log)."""

    field = serializers.CharField()
    value = serializers.CharField()


class TransferSerializer(ScopedModelSerializer):
    """A transfer of 组织关系; ``to_org`` may lie outside the sending side's scope."""

    member_name = serializers.CharField(source="member.name", read_only=True)
    status = serializers.ChoiceField(choices=TransferStatus.choices, read_only=True)

    class Meta:
        model = Transfer
        fields = ["id", "url", "member", "member_name", "from_org", "to_org", "to_outside", "status", "date",
                  "confirmed_date", "reason", "reply", "changelog_message"]
        read_only_fields = ["from_org", "confirmed_date", "reply"]
        # The receiving branch is usually outside the sending side's scope.
        unscoped_fields = ("to_org",)


class TransferReplySerializer(serializers.Serializer):
    """The receiving side's reply to a transfer."""

    reply = serializers.CharField(required=False, allow_blank=True, max_length=300, help_text=_("接收方意见"))


class RoleGrantSerializer(ScopedModelSerializer):
    """Role R on the organization subtree ``org`` (no organization for administrators)."""

    # Any active account may be given a role (as on the page, by typing its name); the browsable API asks
    # for the name in a text box rather than listing every account of the installation.
    username = serializers.SlugRelatedField(
        source="user", slug_field="username", queryset=get_user_model().objects.filter(is_active=True),
        help_text=_("被授权账号的用户名"), style={"base_template": "input.html"},
    )
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = RoleGrant
        fields = ["id", "url", "user", "username", "role", "org", "changelog_message"]
        read_only_fields = ["user"]
        unscoped_fields = ["username"]
