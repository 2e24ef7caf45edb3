"""Import/export templates of members and organizations (see ``core.imports.engine``).

The per-row rules are the model's own: ``clean_row`` calls the same ``orgs.rules`` functions that
``Member.clean`` calls, on values the engine has already parsed and resolved for the whole file.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from functools import cached_property
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports.bulk import insert_rows, model_field
from core.imports.columns import BooleanColumn, ChoiceColumn, DateColumn, ForeignKeyColumn, TextColumn
from core.imports.engine import Pending, Resource, Row, register
from core.rules import rule_value
from orgs import rules, services
from orgs.choices import (
    ALLOWED_PARENTS,
    BRANCH_KINDS,
    ETHNICITY_CHOICES,
    LEAVING_STATUSES,
    Category,
    Education,
    Gender,
    OrgKind,
    Status,
)
from orgs.filtersets import MemberFilterSet, OrganizationFilterSet
from orgs.models import Member, Organization, StatusChange

ORG_MISSING = gettext_lazy("组织编码 %(code)s 不存在或不在您的管理范围内")
CODE_HINT = gettext_lazy("组织编码（见组织页面）")
TERM_ORDER = next(c for c in Organization._meta.constraints if c.name == "organization_term_order")


@register
class MemberResource(Resource):
    """The member roster (党员名册), matched by ID number."""

    slug = "members"
    title = gettext_lazy("党员")
    model = Member
    key = "id_number"
    scope_column = "org"
    masked_match = ("name",)
    blank_key_match = ("name", "birth_date")
    extra_update_fields = ("org_path",)
    filterset_class: ClassVar[Any] = MemberFilterSet
    columns = (
        TextColumn("姓名", "name", required=True, max_length=50, example="张三"),
        ChoiceColumn("性别", "gender", Gender.choices, example="男",
                     hint=gettext_lazy("男或女；留空时按身份证号填写")),
        ChoiceColumn("民族", "ethnicity", ETHNICITY_CHOICES, default="汉族", example="汉族",
                     hint=gettext_lazy("如“汉族”；新建时留空按汉族")),
        DateColumn("出生日期", "birth_date", mask=rules.mask_birth_date, example=datetime.date(1990, 1, 1),
                   hint=gettext_lazy("YYYY-MM-DD；留空时按身份证号填写")),
        TextColumn("身份证号", "id_number", max_length=18, normalize=rules.normalize_id_number,
                   mask=rules.mask_id_number, digits_as_text=True, example="110101199001010015",
                   numeric_error=gettext_lazy("身份证号被存成了数字（末几位已丢失），请把该列设为文本格式后重新填写"),
                   hint=gettext_lazy("18位，按GB 11643校验；请设为文本格式。用于匹配已有党员；新建党员必填")),
        TextColumn("手机号码", "phone", max_length=20, mask=rules.mask_phone, digits_as_text=True,
                   example="13800000000", hint=gettext_lazy("11位手机号码，或带区号的固定电话")),
        ChoiceColumn("学历", "education", Education.choices, example="大学本科"),
        TextColumn("工作单位", "workplace", max_length=200, example="某某单位"),
        TextColumn("职务/岗位", "job", max_length=100, example="科员"),
        ChoiceColumn("人员类别", "category", Category.choices, default=Category.EMPLOYED, example="在职"),
        ChoiceColumn("党籍状态", "status", Status.choices, required=True, example="正式党员"),
        DateColumn("申请入党日期", "application_date", example=datetime.date(2012, 3, 1)),
        DateColumn("确定积极分子日期", "activist_date", example=datetime.date(2012, 9, 1)),
        DateColumn("确定发展对象日期", "candidate_date", example=datetime.date(2013, 9, 1)),
        DateColumn("入党时间", "admission_date", example=datetime.date(2014, 3, 1)),
        DateColumn("转正时间", "conversion_date", example=datetime.date(2015, 3, 1)),
        ForeignKeyColumn("所在党支部编码", "org", model=Organization, required=True, example="示例支部编码",
                         hint=CODE_HINT),
        ForeignKeyColumn("所在党小组编码", "group", model=Organization, hint=CODE_HINT),
        TextColumn("备注", "note", max_length=2000),
    )

    @cached_property
    def min_age(self) -> int:
        return int(rule_value("orgs.application.min_age", self.today))

    def missing_message(self, column: ForeignKeyColumn, code: str) -> str:
        return ORG_MISSING % {"code": code}

    def out_of_scope_message(self, row: Row) -> str:
        return _("该身份证号已在您管理范围以外的组织登记，请通过组织关系转接办理")

    def clean_row(self, row: Row) -> None:
        v, header = row.values, self.header_of
        id_number = v["id_number"]
        if id_number and "id_number" not in row.failed:
            problem = rules.id_number_error(id_number)
            if problem:
                row.error(header("id_number"), problem)
                row.fail("id_number")
        failed = row.failed
        valid_id = id_number if id_number and "id_number" not in failed else None
        if v["birth_date"] is None and "birth_date" not in failed:
            if valid_id:
                v["birth_date"] = rules.id_birth_date(valid_id)
            else:
                row.error(header("birth_date"), _("不能为空"))
        if not v["gender"] and "gender" not in failed:
            if valid_id:
                v["gender"] = rules.id_gender(valid_id)
            else:
                row.error(header("gender"), _("不能为空"))
        phone = v["phone"]
        if phone and "phone" not in failed and not rules.PHONE_RE.match(phone):
            row.error(header("phone"), _("手机号码应为11位数字，或带区号的固定电话"))
        status = v["status"] if "status" not in failed else None
        for name, message in rules.member_record_errors(
            birth_date=v["birth_date"], id_number=valid_id, gender=v["gender"] or None, status=status,
            dates=v, today=self.today, min_age=self.min_age,  # the row's values hold the milestone dates
            id_valid=True,
        ):
            if name not in failed:
                row.error(header(name), message)
        existing = row.existing
        if existing is not None and status and status != existing.status:
            # The moves the status page refuses (out of 死亡, 转出 without a transfer) are refused here too.
            try:
                services.check_status_change(existing.status, status)
            except ValidationError as exc:
                row.error(header("status"), exc.message_dict["status"][0])
        org, group = v["org"], v["group"]
        if org is not None and org.kind == OrgKind.GROUP:
            row.error(header("org"), _("组织编码 %(code)s 是党小组，请填写其所在党支部的编码") % {"code": org.code})
        if group is not None and org is not None and (group.kind != OrgKind.GROUP or group.parent_id != org.pk):
            row.error(header("group"),
                      _("%(group)s 不是 %(org)s 下属的党小组") % {"group": group.name, "org": org.name})

    def prepare(self, obj: Any, row: Row) -> None:
        obj.org_path = row.values["org"].path

    def after_write(self, created: list[Row], updated: list[Row], *, message: str, now: datetime.datetime) -> None:
        """Status history: an entry for each status an import changed (a new member's milestone dates already
        tell how they got where they are); a member an import moved to another branch takes its history along
        (as a confirmed transfer does)."""
        user_id = self.user.pk if getattr(self.user, "is_authenticated", False) else None
        history: list[tuple[Any, ...]] = []
        moved: dict[Any, list[Any]] = defaultdict(list)
        for row in updated:
            m, before = row.obj, row.before or {}
            if before.get("org") != m.org_id:
                moved[m.org].append(m.pk)
            if before.get("status") != m.status:
                history.append((m.pk, m.org_id, m.org_path, before.get("status") or "", m.status, self.today, message,
                                user_id, None, None))
        for org, member_ids in moved.items():
            services.records_follow(member_ids, org)
        # A member who leaves, or moves to another branch, gives up the seats held there (as on the pages).
        leaving = [row.obj.pk for row in updated
                   if (row.before or {}).get("org") != row.obj.org_id
                   or ((row.before or {}).get("status") != row.obj.status and row.obj.status in LEAVING_STATUSES)]
        services.end_positions_of(leaving, self.today, acting_user=self.user, reason=message)
        names = ("member", "org", "org_path", "from_status", "to_status", "date", "reason", "created_by",
                 "created", "updated")
        insert_rows(StatusChange, [model_field(StatusChange, n) for n in names], history, now=now)


@register
class OrganizationResource(Resource):
    """The organization tree, matched by code; a file may add whole new subtrees (parents before or after
    their children), but moving an existing organization is done on its page, not by import."""

    slug = "orgs"
    title = gettext_lazy("党组织")
    model = Organization
    key = "code"
    scope_column = "parent"
    filterset_class: ClassVar[Any] = OrganizationFilterSet
    columns = (
        TextColumn("编码", "code", required=True, max_length=32, digits_as_text=True, example="示例编码",
                   hint=gettext_lazy("组织编码，唯一；用于匹配已有组织")),
        TextColumn("名称", "name", required=True, max_length=200, example="第一党支部"),
        ChoiceColumn("类别", "kind", OrgKind.choices, required=True, example="党支部"),
        ForeignKeyColumn("上级组织编码", "parent", model=Organization, example="示例上级组织编码",
                         hint=gettext_lazy("上级组织的编码，可以是本文件中新建的组织；留空为最上级组织（仅管理员）")),
        TextColumn("所在单位", "unit_name", max_length=200, example="某某公司"),
        BooleanColumn("村（社区）组织", "is_village", default=False, example="否"),
        BooleanColumn("设立委员会", "has_committee", default=False, example="是"),
        DateColumn("成立日期", "established", example=datetime.date(2018, 7, 1)),
        DateColumn("本届任期开始", "term_start", example=datetime.date(2023, 7, 1)),
        DateColumn("本届任期届满", "term_end", example=datetime.date(2026, 7, 1)),
        TextColumn("备注", "note"),
    )

    def missing_message(self, column: ForeignKeyColumn, code: str) -> str:
        return ORG_MISSING % {"code": code}

    def out_of_scope_message(self, row: Row) -> str:
        return _("组织编码 %(code)s 已被您管理范围以外的组织使用") % {"code": row.values["code"]}

    def root_message(self) -> str:
        return _("只有管理员可以导入最上级组织（上级组织编码为空）")

    def clean_row(self, row: Row) -> None:
        v, header = row.values, self.header_of
        start, end = v["term_start"], v["term_end"]
        if start and end and end <= start:
            row.error(header("term_end"), str(TERM_ORDER.violation_error_message))
        parent, existing = v["parent"], row.existing
        if v["kind"] and "kind" not in row.failed and not isinstance(parent, Pending) and "parent" not in row.failed:
            problem = rules.org_parent_error(v["kind"], parent.kind if parent is not None else None)
            if problem:
                row.error(header("parent"), problem)
        if existing is not None and v["kind"] and v["kind"] != existing.kind:
            if v["kind"] not in BRANCH_KINDS and existing.members.exists():
                row.error(header("kind"), _("该组织下有党员，只能是党支部或联合党支部"))
            if any(v["kind"] not in ALLOWED_PARENTS[k] for k in existing.children.values_list("kind", flat=True)):
                row.error(header("kind"), _("下级组织的类别与此类别不相容"))
        if existing is not None and "parent" not in row.failed and (
            isinstance(parent, Pending) or existing.parent_id != getattr(parent, "pk", None)
        ):
            row.error(header("parent"), _("不能通过导入调整上级组织，请在组织页面操作"))
        if parent is not None and getattr(parent, "code", None) == v["code"]:
            row.error(header("parent"), _("上级组织不能是本组织"))

    def clean_rows(self, rows: list[Row]) -> None:
        """New organizations whose parents are new in the same file must reach an existing one, and sit
        under a parent of a fitting kind."""
        kinds = {r.values["code"]: r.values["kind"] for r in rows}
        for row in rows:
            parent, kind = row.values["parent"], row.values["kind"]
            if isinstance(parent, Pending) and kind and kinds.get(parent.key):
                problem = rules.org_parent_error(kind, kinds[parent.key])
                if problem:
                    row.error(self.header_of("parent"), problem)
        pending = {r.values["code"]: r for r in rows if r.existing is None and isinstance(r.values["parent"], Pending)}
        for code, row in pending.items():
            seen = {code}
            parent = row.values["parent"]
            while isinstance(parent, Pending):
                if parent.key in seen:
                    row.error(self.header_of("parent"), _("上级组织编码形成循环"))
                    break
                seen.add(parent.key)
                parent_row = pending.get(parent.key)
                parent = parent_row.values["parent"] if parent_row else None

    def before_insert(self, rows: list[Row]) -> None:
        """Tree paths of the new organizations, parents first (a parent may be another new row)."""
        new = {row.values["code"]: row.obj for row in rows}
        done: set[int] = set()

        def place(obj: Organization, row_parent: Any) -> None:
            if obj.pk in done:
                return
            parent = row_parent
            if isinstance(parent, Pending):
                parent = new[parent.key]
                place(parent, parents[parent.code])
                obj.parent_id = parent.pk
            obj._state.fields_cache["parent"] = parent
            obj.path = f"{parent.path}{obj.pk}." if parent is not None else f"{obj.pk}."
            obj.depth = obj.path.count(".") - 1
            done.add(obj.pk)

        parents = {row.values["code"]: row.values["parent"] for row in rows}
        for row in rows:
            place(row.obj, row.values["parent"])
