"""The campaigns Chuxin ships as templates, and the self-inspection checklist of 2019 (「十八个是否」).

A committee copies a template into its own campaign and edits it. The figures and wording come from
``domain/rules.md`` §5 with its sources; where the national text was not confirmed (the 18 items in full,
the dates of the second 2019 batch) the template says so in ``note`` and the committee adjusts it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    requirement: str
    aim: str
    goals: tuple[str, ...]
    measures: tuple[str, ...]
    specials: tuple[str, ...] = ()
    batches: tuple[tuple[str, datetime.date, datetime.date], ...] = ()
    requirements: tuple[tuple[str, str, float | None], ...] = ()  # (kind, title, hours)
    checklist: bool = False
    source: str = ""
    note: str = ""


D = datetime.date

TEMPLATES: dict[str, Template] = {
    "2019": Template(
        key="2019",
        name="“不忘初心、牢记使命”主题教育",
        requirement="守初心、担使命，找差距、抓落实",
        aim="理论学习有收获、思想政治受洗礼、干事创业敢担当、为民服务解难题、清正廉洁作表率",
        goals=("理论学习有收获", "思想政治受洗礼", "干事创业敢担当", "为民服务解难题", "清正廉洁作表率"),
        measures=("学习教育", "调查研究", "检视问题", "整改落实"),
        specials=(
            "对贯彻落实习近平新时代中国特色社会主义思想和党中央决策部署置若罔闻、阳奉阴违，搞变通、打折扣、做选择",
            "干事创业精气神不够，患得患失，不担当不作为",
            "形式主义、官僚主义，层层加重基层负担，文山会海反弹回潮，督查检查考核过多过频、过度留痕",
            "领导干部配偶、子女及其配偶违规经商办企业，甚至利用职权或职务影响为其谋取非法利益",
            "领导干部利用名贵特产类特殊资源谋取私利",
            "对黄赌毒和黑恶势力听之任之、失职失责甚至包庇纵容、充当“保护伞”",
            "对群众关心的利益问题漠然处之，空头承诺，推诿扯皮，以及办事不公、侵害群众利益",
            "基层党组织软弱涣散，党员教育管理宽松软，基层党建主体责任缺失",
        ),
        batches=(("第一批", D(2019, 6, 1), D(2019, 8, 31)), ("第二批", D(2019, 9, 1), D(2020, 1, 31))),
        requirements=(("study", "集中学习研讨", 32.0), ("essay", "学习心得体会", None),
                      ("meeting", "专题民主生活会/组织生活会", None)),
        checklist=True,
        source="中央主题教育领导小组《关于在主题教育中开展专项整治的通知》（2019年7月）；《对照党章党规找差距的工作方案》",
        note="第二批的起止日期为约数，请按本地部署调整；“十八个是否”全文未经核对，模板按党章、准则、条例分列，可编辑。",
    ),
    "2023": Template(
        key="2023",
        name="学习贯彻习近平新时代中国特色社会主义思想主题教育",
        requirement="学思想、强党性、重实践、建新功",
        aim="以学铸魂、以学增智、以学正风、以学促干",
        goals=("凝心铸魂筑牢根本", "锤炼品格强化忠诚", "实干担当促进发展", "践行宗旨为民造福", "廉洁奉公树立新风"),
        measures=("理论学习", "调查研究", "推动发展", "检视整改", "建章立制"),
        batches=(("第一批", D(2023, 4, 1), D(2023, 8, 31)), ("第二批", D(2023, 9, 1), D(2024, 1, 31))),
        requirements=(("study", "读书班与集中学习", 32.0), ("essay", "学习心得体会", None),
                      ("meeting", "专题民主生活会/组织生活会", None)),
        checklist=True,
        source="中共中央《关于在全党开展学习贯彻习近平新时代中国特色社会主义思想主题教育的意见》（2023年）",
        note="重点对象为县处级以上领导干部；不划阶段、不分环节。",
    ),
    "2024": Template(
        key="2024",
        name="党纪学习教育",
        requirement="学纪、知纪、明纪、守纪",
        aim="逐章逐条学、联系实际学，以案促学、以训助学",
        goals=("学纪", "知纪", "明纪", "守纪"),
        measures=("逐章逐条学习《中国共产党纪律处分条例》", "联系实际学", "以案促学", "以训助学"),
        batches=(("全党", D(2024, 4, 1), D(2024, 7, 31)),),
        requirements=(("study", "《纪律处分条例》专题学习", 8.0), ("essay", "学习心得体会", None),
                      ("meeting", "专题组织生活会", None)),
        source="中共中央办公厅《关于在全党开展党纪学习教育的通知》（2024年）",
    ),
}

# The 2019 self-check against the Party Constitution, the Guidelines and the Regulations. The first item of
# each part is confirmed wording; the others follow the same three documents and are meant to be edited.
CHECKLIST_TITLE = "对照党章党规找差距“十八个是否”"
CHECKLIST_NOTE = ("对照党章、《关于新形势下党内政治生活的若干准则》和《中国共产党纪律处分条例》逐条检视，"
                  "把自己、职责、工作摆进去；回答“否”或“部分”的事项应列入问题清单。")
CHECKLIST_18: tuple[tuple[str, str], ...] = (
    ("对照党章", "是否坚持党的性质宗旨，贯彻党的基本理论、基本路线、基本方略"),
    ("对照党章", "是否牢固树立“四个意识”，坚定“四个自信”，做到“两个维护”"),
    ("对照党章", "是否认真履行党员义务，发挥先锋模范作用"),
    ("对照党章", "是否严格遵守党的组织制度，按规定参加组织生活、交纳党费"),
    ("对照党章", "是否坚持全心全意为人民服务，密切联系群众"),
    ("对照党章", "是否自觉接受党组织和党员群众的监督"),
    ("对照准则", "是否坚定理想信念"),
    ("对照准则", "是否坚持民主集中制原则，贯彻执行集体领导和个人分工负责相结合的制度"),
    ("对照准则", "是否严肃认真开展批评和自我批评"),
    ("对照准则", "是否坚决反对形式主义、官僚主义、享乐主义和奢靡之风"),
    ("对照准则", "是否坚持正确选人用人导向"),
    ("对照准则", "是否严守政治纪律和政治规矩，不搞团团伙伙"),
    ("对照条例", "是否在重大原则问题上同党中央保持一致、自觉执行党组织决定"),
    ("对照条例", "是否严格执行组织纪律，如实向组织请示报告个人有关事项"),
    ("对照条例", "是否遵守廉洁纪律，不利用职权为本人或他人谋取利益"),
    ("对照条例", "是否遵守群众纪律，不侵害群众利益"),
    ("对照条例", "是否遵守工作纪律，不推诿扯皮、敷衍塞责"),
    ("对照条例", "是否遵守生活纪律，严格要求亲属和身边工作人员"),
)
