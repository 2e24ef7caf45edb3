"""Choice sets of the organization and member records, named as in rules.md."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", _("党委")
    WORK_COMMITTEE = "work_committee", _("党工委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    JOINT_BRANCH = "joint_branch", _("联合党支部")
    GROUP = "group", _("党小组")


BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.JOINT_BRANCH)
COMMITTEE_KINDS = (OrgKind.COMMITTEE, OrgKind.WORK_COMMITTEE)

# Which kinds may sit directly under which (None: the root). Members belong to branches only.
ALLOWED_PARENTS: dict[str, tuple[str | None, ...]] = {
    OrgKind.COMMITTEE: (None, *COMMITTEE_KINDS),
    OrgKind.WORK_COMMITTEE: (None, *COMMITTEE_KINDS),
    OrgKind.GENERAL_BRANCH: COMMITTEE_KINDS,
    OrgKind.BRANCH: (*COMMITTEE_KINDS, OrgKind.GENERAL_BRANCH),
    OrgKind.JOINT_BRANCH: (*COMMITTEE_KINDS, OrgKind.GENERAL_BRANCH),
    OrgKind.GROUP: BRANCH_KINDS,
}


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Education(models.TextChoices):
    DOCTORATE = "doctorate", _("研究生（博士）")
    MASTER = "master", _("研究生（硕士）")
    BACHELOR = "bachelor", _("大学本科")
    COLLEGE = "college", _("大学专科")
    VOCATIONAL = "vocational", _("中等专科")
    HIGH_SCHOOL = "high_school", _("高中")
    JUNIOR = "junior", _("初中及以下")


class Category(models.TextChoices):
    """Member category for dues (rules.md §1)."""

    EMPLOYED = "employed", _("在职")
    RETIRED = "retired", _("离退休")
    FARMER = "farmer", _("农民")
    STUDENT = "student", _("学生")
    UNEMPLOYED = "unemployed", _("下岗失业")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    APPLICANT = "applicant", _("入党申请人")
    ACTIVIST = "activist", _("入党积极分子")
    CANDIDATE = "candidate", _("发展对象")
    PROBATIONARY = "probationary", _("预备党员")
    FULL = "full", _("正式党员")
    TRANSFERRED_OUT = "transferred_out", _("转出")
    SUSPENDED = "suspended", _("停止党籍")
    REMOVED = "removed", _("除名/自行脱党")
    EXPELLED = "expelled", _("出党")
    DECEASED = "deceased", _("死亡")


MEMBER_STATUSES = (Status.PROBATIONARY, Status.FULL)
DEVELOPMENT_STATUSES = (Status.APPLICANT, Status.ACTIVIST, Status.CANDIDATE)
LEAVING_STATUSES = (Status.TRANSFERRED_OUT, Status.SUSPENDED, Status.REMOVED, Status.EXPELLED, Status.DECEASED)
ACTIVE_STATUSES = (*DEVELOPMENT_STATUSES, *MEMBER_STATUSES)


class PositionTitle(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
    ORGANIZATION = "organization", _("组织委员")
    PROPAGANDA = "propaganda", _("宣传委员")
    DISCIPLINE = "discipline", _("纪检委员")
    MEMBER = "member", _("委员")
    GROUP_LEADER = "group_leader", _("党小组组长")


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("等待接收")
    CONFIRMED = "confirmed", _("已接收")
    REJECTED = "rejected", _("已退回")
    CANCELLED = "cancelled", _("已撤销")


# The 56 ethnic groups; the stored value is the Chinese name, the label follows the page's language.
ETHNICITIES = [
    gettext_noop("汉族"), gettext_noop("蒙古族"), gettext_noop("回族"), gettext_noop("藏族"),
    gettext_noop("维吾尔族"), gettext_noop("苗族"), gettext_noop("彝族"), gettext_noop("壮族"),
    gettext_noop("布依族"), gettext_noop("朝鲜族"), gettext_noop("满族"), gettext_noop("侗族"),
    gettext_noop("瑶族"), gettext_noop("白族"), gettext_noop("土家族"), gettext_noop("哈尼族"),
    gettext_noop("哈萨克族"), gettext_noop("傣族"), gettext_noop("黎族"), gettext_noop("傈僳族"),
    gettext_noop("佤族"), gettext_noop("畲族"), gettext_noop("高山族"), gettext_noop("拉祜族"),
    gettext_noop("水族"), gettext_noop("东乡族"), gettext_noop("纳西族"), gettext_noop("景颇族"),
    gettext_noop("柯尔克孜族"), gettext_noop("土族"), gettext_noop("达斡尔族"), gettext_noop("仫佬族"),
    gettext_noop("羌族"), gettext_noop("布朗族"), gettext_noop("撒拉族"), gettext_noop("毛南族"),
    gettext_noop("仡佬族"), gettext_noop("锡伯族"), gettext_noop("阿昌族"), gettext_noop("普米族"),
    gettext_noop("塔吉克族"), gettext_noop("怒族"), gettext_noop("乌孜别克族"), gettext_noop("俄罗斯族"),
    gettext_noop("鄂温克族"), gettext_noop("德昂族"), gettext_noop("保安族"), gettext_noop("裕固族"),
    gettext_noop("京族"), gettext_noop("塔塔尔族"), gettext_noop("独龙族"), gettext_noop("鄂伦春族"),
    gettext_noop("赫哲族"), gettext_noop("门巴族"), gettext_noop("珞巴族"), gettext_noop("基诺族"),
]
ETHNICITY_CHOICES = [(e, _(e)) for e in ETHNICITIES]
