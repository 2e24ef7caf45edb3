"""The demo organization's vocabulary: names, places, units, profiles and rates, weighted like reality."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from orgs.choices import ETHNICITIES, Status

MIN_MEMBERS = 100
DEMO_USERNAMES = ("admin", "committee", "branch1", "branch2", "member1")
CITY = "临江市"
DAYS_18_YEARS = 6575  # 18 × 365 + 5 leap days: never earlier than the 18th birthday


class Weighted:
    """A weighted choice; ``pick(random())`` costs one bisect."""

    __slots__ = ("values", "cum", "total")

    def __init__(self, pairs: Sequence[tuple[Any, float]]) -> None:
        self.values = [v for v, _w in pairs]
        self.cum: list[float] = []
        total = 0.0
        for _v, w in pairs:
            total += w
            self.cum.append(total)
        self.total = total

    def pick(self, r: float) -> Any:
        return self.values[bisect_right(self.cum, r * self.total)]


def _words(text: str) -> list[str]:
    return text.split()


def _pairs(text: str) -> list[tuple[str, float]]:
    parts = text.split()
    return [(parts[i], float(parts[i + 1])) for i in range(0, len(parts), 2)]


# Surnames with their share of the population (per cent), the most frequent hundred and a few compound ones.
SURNAMES = Weighted(_pairs("""
王 7.25 李 7.19 张 6.83 刘 5.38 陈 4.53 杨 3.08 黄 2.23 赵 2.19 吴 2.05 周 1.95 徐 1.46 孙 1.38 马 1.29
朱 1.26 胡 1.18 郭 1.13 何 1.06 高 1.00 林 1.00 罗 0.95 郑 0.88 梁 0.87 谢 0.76 宋 0.70 唐 0.69 许 0.64
韩 0.63 冯 0.62 邓 0.62 曹 0.59 彭 0.56 曾 0.55 肖 0.55 田 0.52 董 0.52 袁 0.50 潘 0.50 于 0.49 蒋 0.48
蔡 0.47 余 0.46 杜 0.45 叶 0.44 程 0.43 苏 0.42 魏 0.41 吕 0.40 丁 0.40 任 0.39 沈 0.38 姚 0.37 卢 0.36
姜 0.35 崔 0.35 钟 0.34 谭 0.33 陆 0.33 汪 0.32 范 0.31 金 0.31 石 0.30 廖 0.29 贾 0.28 夏 0.28 韦 0.27
付 0.27 方 0.26 白 0.26 邹 0.25 孟 0.25 熊 0.24 秦 0.24 邱 0.24 江 0.23 尹 0.23 薛 0.22 闫 0.21 段 0.21
雷 0.21 侯 0.20 龙 0.20 史 0.20 陶 0.19 黎 0.19 贺 0.18 顾 0.18 毛 0.18 郝 0.17 龚 0.17 邵 0.17 万 0.16
钱 0.16 严 0.16 覃 0.15 武 0.15 戴 0.15 莫 0.15 孔 0.14 向 0.14 汤 0.14 欧阳 0.03 司马 0.005 上官 0.005
诸葛 0.004 皇甫 0.003
"""))

# Given names by era: (single characters, two-character names or first/second character pools).
OLD_MALE = _words(
    "建国 建华 国强 志强 建军 卫国 德明 福生 国庆 永明 德胜 振华"
    " 国华 金生 长青 立新 卫东 学军 海生 庆丰 志明 树林 春生 文华"
)
OLD_FEMALE = _words(
    "秀英 桂英 秀兰 桂兰 玉兰 淑珍 凤英 玉珍 秀珍 淑英 桂芳"
    " 秀云 凤兰 玉英 秀芳 桂珍 淑兰 翠兰 金凤 素芬 美华 红梅"
)
MID_MALE = _words(
    "志刚 海涛 建华 晓东 晓明 国华 立新 永刚 志勇 海军 建平 俊杰"
    " 文斌 宏伟 振宇 明辉 国栋 鹏飞 志华 海峰 云龙 德华 晓峰 春雷"
)
MID_FEMALE = _words(
    "丽娟 秀梅 海燕 晓燕 春梅 丽华 晓红 丽萍 雪梅 慧敏 晓丽 玉梅"
    " 红霞 静怡 美玲 晓霞 丽丽 爱华 翠萍 晓梅 艳华 琳琳 秋菊 月娥"
)
SINGLE_MALE = _words(
    "伟 磊 军 勇 杰 涛 斌 超 明 刚 平 辉 鹏 华 飞"
    " 鑫 波 宁 健 强 亮 峰 浩 凯 俊 帅 斌 毅 龙 林"
)
SINGLE_FEMALE = _words(
    "丽 敏 静 燕 艳 娟 霞 芳 娜 丹 玲 萍 红 玉 兰"
    " 琳 雪 梅 莉 婷 颖 倩 洁 琴 云 慧 佳 欣 悦 瑶"
)
YOUNG_MALE = ("子浩宇俊博文天嘉明志思梓皓睿泽晨一家振鹏宏凯锦瑞", "轩然航杰文宇豪涵阳辰睿泽铭翔远哲恒凯诚霖煜昊")
YOUNG_FEMALE = ("欣雨诗梓思佳可雅紫心晓若婉梦语子一嘉静雪", "怡萱涵琪彤妍然琳悦雯瑶晴菲婷颖洁宁蕾萌璐")
UYGHUR_NAMES = ["买买提·艾力", "艾力·吐尔逊", "阿不都热合曼·买买提", "热依拉·艾买提", "阿依古丽·吐尔洪",
                "古丽娜尔·阿不都", "艾尔肯·依明", "努尔古丽·肉孜", "吐尔洪·阿木提", "迪丽娜尔·艾山"]
TIBETAN_NAMES = ["扎西次仁", "次仁卓玛", "格桑多吉", "央金拉姆", "达瓦次仁", "平措旺堆", "旦增卓嘎", "拉巴次仁",
                 "德吉央宗", "多吉"]
MONGOLIAN_NAMES = ["巴特尔", "其其格", "乌兰图雅", "斯琴高娃", "额尔敦", "娜仁花", "宝音", "苏和", "哈斯", "朝鲁门"]

# Population of each ethnic group (millions, 2020 census) for the 9 % who are not Han.
_MINORITY_POP = (
    "壮族 19.6 维吾尔族 11.8 回族 11.4 苗族 11.1 满族 10.4 彝族 9.8 土家族 9.6 藏族 7.1 蒙古族 6.3 布依族 3.6 "
    "侗族 3.5 瑶族 3.3 白族 2.1 哈尼族 1.7 朝鲜族 1.7 黎族 1.6 哈萨克族 1.6 傣族 1.3 畲族 0.75 傈僳族 0.76 "
    "东乡族 0.77 仡佬族 0.68 拉祜族 0.5 佤族 0.43 水族 0.5 纳西族 0.32 羌族 0.31 土族 0.28 仫佬族 0.28 锡伯族 0.19 "
    "柯尔克孜族 0.2 景颇族 0.16 达斡尔族 0.13 撒拉族 0.16 布朗族 0.13 毛南族 0.12 塔吉克族 0.05 普米族 0.045 "
    "阿昌族 0.04 怒族 0.037 鄂温克族 0.034 京族 0.033 基诺族 0.026 德昂族 0.022 保安族 0.024 俄罗斯族 0.016 "
    "裕固族 0.015 乌孜别克族 0.012 门巴族 0.011 鄂伦春族 0.009 独龙族 0.007 赫哲族 0.005 塔塔尔族 0.0035 "
    "珞巴族 0.004 高山族 0.0035"
)
MINORITIES = Weighted(_pairs(_MINORITY_POP))
assert set(MINORITIES.values) <= set(ETHNICITIES)

# Region prefixes of ID numbers: the city's own districts (real codes of a coastal prefecture), the
# rest of the country, and the home regions of some ethnic groups.
LOCAL_CODES = ["331002", "331003", "331004", "331022", "331023", "331024", "331081", "331082", "331083"]
OTHER_CODES = [
    "110101", "110105", "120101", "130102", "140105", "150102", "210102", "220102", "230103", "310104",
    "310115", "320102", "320582", "330106", "330782", "340104", "350203", "360102", "370202", "410105",
    "420106", "430104", "440305", "450103", "460105", "500103", "510104", "520102", "530102", "610113",
    "620102", "630102", "640104", "650102", "421002", "411302", "341202", "362502", "432502", "513901",
]
ETHNIC_CODES = {
    "维吾尔族": ["650102", "653101", "652901"], "藏族": ["540102", "513301", "632321"], "蒙古族": ["150102", "152502"],
    "壮族": ["450103", "451002", "452601"], "回族": ["640104", "622901"], "朝鲜族": ["222401", "222403"],
    "满族": ["210102", "130828"], "苗族": ["522601", "433101"], "彝族": ["513401", "532301"],
    "土家族": ["433101", "422801"],
}
PHONE_PREFIXES = [
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
    "156", "157", "158", "159", "170", "173", "175", "176", "177", "178", "180", "181", "182", "183", "184",
    "185", "186", "187", "188", "189", "191", "193", "195", "198", "199",
]

DISTRICTS = ["江城区", "青石县", "东湖区", "枫桥县", "西山区", "云岭县", "南屏区", "柳溪县", "北塘区", "金沙县",
             "河西区", "桃源县", "望江区", "梅岭县", "白鹭区", "石门县"]
PLACE_FIRST = "东西南北新长青白金石龙凤桃柳梅松云江河湖山华安兴和平永宁福康泰盛光明振红朝阳丰瑞锦翠"
PLACE_SECOND = ["山", "湖", "桥", "塘", "港", "湾", "岭", "坪", "溪", "林", "园", "门", "口", "洲", "浦", "庄",
                "苑", "岗", "坝", "川", "田", "源", "亭", "泉", "滨", "关", "埠", "店", "圩", "堡"]
ORGANS = [
    "区委办公室", "区政府办公室", "区委组织部", "区委宣传部", "区委统战部", "区委政法委", "区纪委监委机关",
    "区发展和改革局", "区教育局", "区科学技术局", "区财政局", "区人力资源和社会保障局", "区自然资源局",
    "区生态环境分局", "区住房和城乡建设局", "区交通运输局", "区农业农村局", "区商务局", "区文化和广电旅游体育局",
    "区卫生健康局", "区退役军人事务局", "区应急管理局", "区审计局", "区市场监督管理局", "区统计局", "区医疗保障局",
    "区民政局", "区司法局", "区公安分局", "区人民法院", "区人民检察院", "区总工会", "团区委", "区妇联", "区科协",
    "区信访局", "区档案馆", "区税务局", "区城市管理局", "区水利局",
]
HOSPITAL_DEPTS = ["内科", "外科", "妇产科", "儿科", "急诊科", "医技", "护理", "药剂科", "中医科", "行政后勤", "骨科",
                  "感染科"]
SOE_NAMES = ["港务", "交通投资", "城市建设投资", "水务", "能源", "钢铁", "化工", "纺织", "机械", "电子", "医药", "食品",
             "旅游", "粮食", "国有资产投资", "公共交通", "燃气", "文化传媒"]
SOE_DEPTS = ["生产一车间", "生产二车间", "技术研发中心", "营销中心", "财务部", "综合办公室", "安全环保部", "物资供应部",
             "质量检验部", "设备维修部", "工程项目部", "人力资源部"]
FIRM_BRANDS = _words(
    "华信 恒达 瑞丰 宏远 鑫源 天成 金盛 永康 博远 志诚 德润"
    " 泰和 晨光 新锐 远航 中凯 汇通 嘉禾 佳程 立达 海川 通泰"
)
FIRM_TRADES = ["科技有限公司", "机械制造有限公司", "物流有限公司", "商贸有限公司", "建设工程有限公司", "电子有限公司",
               "服饰有限公司", "食品有限公司", "软件有限公司", "新材料有限公司", "汽车部件有限公司", "印务有限公司"]
COLLEGES = ["机械工程学院", "信息工程学院", "经济管理学院", "文学院", "外国语学院", "理学院", "化学化工学院", "医学院",
            "建筑工程学院", "马克思主义学院", "艺术学院", "教育学院"]
UNIVERSITIES = ["临江大学", "临江职业技术学院", "临江师范学院", "临江医学高等专科学校"]
ORDINALS = "一二三四五六七八九十"


def ordinal(n: int) -> str:
    return ORDINALS[n - 1] if n <= 10 else f"{n}"


def _edu(text: str) -> Weighted:
    codes = {"D": "doctorate", "M": "master", "B": "bachelor", "C": "college", "V": "vocational", "H": "high_school",
             "J": "junior"}
    return Weighted([(codes[p[0]], float(p[1:])) for p in text.split()])


def _statuses(text: str) -> Weighted:
    return Weighted(_pairs(text))


@dataclass(frozen=True)
class Profile:
    """Who the members of a kind of branch are: ages, statuses, education by era, jobs."""

    key: str
    ages: tuple[int, int, int]
    statuses: Weighted
    education: tuple[Weighted, Weighted, Weighted]  # born before 1960, 1960–1979, from 1980
    junior_jobs: tuple[str, ...]
    senior_jobs: tuple[str, ...]


DEFAULT_STATUSES = _statuses(
    "full 79 probationary 5.5 applicant 4.5 activist 5 candidate 3 transferred_out 1.2 deceased 0.5 suspended 0.1 "
    "removed 0.15 expelled 0.05"
)
PROFILES = {
    p.key: p
    for p in (
        Profile("organ", (23, 62, 42), DEFAULT_STATUSES,
                (_edu("B30 C35 V15 H15 J5"), _edu("M15 B55 C22 V5 H3"), _edu("M30 B62 C8")),
                ("科员", "一级科员", "四级主任科员", "办事员"),
                ("科长", "副科长", "三级主任科员", "二级主任科员", "一级主任科员", "四级调研员", "副局长",
                 "办公室主任")),
        Profile("hospital", (23, 62, 40), DEFAULT_STATUSES,
                (_edu("B25 C35 V35 H5"), _edu("D3 M15 B45 C27 V10"), _edu("D4 M25 B45 C22 V4")),
                ("住院医师", "护士", "护师", "药师", "检验技师"),
                ("主治医师", "副主任医师", "主任医师", "主管护师", "护士长", "科室主任")),
        Profile("school", (23, 62, 40), DEFAULT_STATUSES,
                (_edu("B25 C45 V30"), _edu("M8 B65 C25 V2"), _edu("M22 B73 C5")),
                ("教师", "班主任"), ("教师", "班主任", "教研组长", "年级组长", "教导主任", "副校长")),
        Profile("university", (25, 64, 42), DEFAULT_STATUSES,
                (_edu("D15 M35 B45 C5"), _edu("D50 M35 B15"), _edu("D65 M30 B5")),
                ("讲师", "辅导员", "实验师", "行政人员"), ("副教授", "教授", "讲师", "系主任", "副院长")),
        Profile("student", (18, 28, 20),
                _statuses("full 22 probationary 18 applicant 24 activist 22 candidate 12 transferred_out 2"),
                (_edu("H1"), _edu("H1"), _edu("H1")), ("本科生",), ("本科生",)),
        Profile("enterprise", (21, 62, 38), DEFAULT_STATUSES,
                (_edu("B8 C15 V20 H35 J22"), _edu("M4 B25 C28 V15 H20 J8"), _edu("M8 B38 C34 V10 H8 J2")),
                ("技术员", "工人", "助理工程师", "销售专员", "会计", "操作工"),
                ("工程师", "高级工程师", "车间主任", "班组长", "部门经理", "副总经理", "技师")),
        Profile("village", (24, 92, 58),
                _statuses("full 80 probationary 5 applicant 4 activist 5 candidate 3 transferred_out 1.5 deceased 1 "
                          "removed 0.3 suspended 0.2"),
                (_edu("C3 V7 H25 J65"), _edu("B4 C10 V10 H35 J41"), _edu("B15 C30 V15 H25 J15")),
                ("村民", "种植户", "个体经营", "村委委员", "外出务工"),
                ("村民", "种植户", "养殖户", "村委会主任", "村务监督委员会主任", "村会计")),
        Profile("community", (25, 95, 66), DEFAULT_STATUSES,
                (_edu("B8 C12 V15 H30 J35"), _edu("M3 B25 C25 V12 H22 J13"), _edu("M8 B45 C30 V7 H8 J2")),
                ("社区工作者", "网格员", "个体经营", "企业职员", "自由职业"),
                ("社区居民", "社区工作者", "个体经营", "楼栋长")),
        Profile("retired", (60, 95, 72), _statuses("full 95.5 deceased 3.5 transferred_out 1"),
                (_edu("B15 C20 V20 H25 J20"), _edu("M5 B35 C30 V15 H10 J5"), _edu("M5 B35 C30 V15 H10 J5")),
                ("退休职工",), ("退休职工",)),
    )
}
LEAVING_REASONS = {
    Status.TRANSFERRED_OUT: "组织关系转出", Status.DECEASED: "病故", Status.SUSPENDED: "失去联系，停止党籍",
    Status.REMOVED: "自行脱党，予以除名", Status.EXPELLED: "受到开除党籍处分",
}
OUTSIDE_ORGS = ["中共上海市徐汇区委组织部", "中共杭州市西湖区委组织部", "中共南京市玄武区委组织部",
                "中共深圳市南山区委组织部", "中共北京市海淀区委组织部", "中共宁波市鄞州区委组织部",
                "中共苏州工业园区工委组织部", "中共武汉市武昌区委组织部"]

# Branch size classes: (share, smallest, largest). "tiny" branches have fewer than 3 full members and
# "large" ones more than 50 members, so the structure gaps occur in a realistic minority.
SIZE_CLASSES = Weighted([(("tiny", 2, 4), 2.5), (("small", 6, 18), 17), (("medium", 20, 48), 58),
                         (("big", 42, 50), 19.5), (("large", 60, 84), 3)])
NO_COMMITTEE_RATE = 0.06  # branches with 7+ full members that have not set up a committee
OVERDUE_RATE = 0.05  # organizations whose term has ended without re-election
