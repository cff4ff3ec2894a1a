"""What each exception means and what to do about it, in the viewer's language."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from loudou.health.choices import Rule

#: Suggested action per rule (from the handbooks: control the process, not only the result).
ACTIONS = {
    Rule.OFF_FUNNEL: gettext_noop(
        "与销售员复盘这些签约的过程，要求每个客户按漏斗阶段登记，确认商机再签约。"
    ),
    Rule.MANY_OPPORTUNITIES: gettext_noop(
        "逐个检查商机的真实性和决策链，清理无效商机，集中资源推进最有把握的几个。"
    ),
    Rule.LOW_MOVE_RATE: gettext_noop(
        "检查该阶段的工作标准和推荐方法，陪同拜访或演练话术，帮助客户进入下一阶段。"
    ),
    Rule.HIGH_ABANDONMENT: gettext_noop(
        "抽查放弃原因，收紧前端筛选标准，对可挽回的客户安排二次跟进。"
    ),
    Rule.LONG_CYCLE: gettext_noop("缩短跟进间隔，明确每个阶段的下一步行动和截止时间。"),
    Rule.NO_FOLLOW_UP: gettext_noop("立即联系这些线索，并检查分配规则和首次响应提醒。"),
    Rule.NO_PROGRESS: gettext_noop(
        "重新评估需求和意向等级，调整方案或升级到经理协助；无望的及时放弃。"
    ),
    Rule.STALLED: gettext_noop("与客户确认新的成交日期和卡点，更新预计成交日期，无望的及时放弃。"),
    Rule.COUNT_OFF_IDEAL: gettext_noop(
        "调整分配：客户数过多的放回公海或转给同事，过少的补充线索或加快推进。"
    ),
}


def rule_label(rule: str, stored: str = "") -> str:
    """The rule's name in the active language (`stored` for an unknown code)."""
    return str(Rule(rule).label) if rule in Rule.values else stored


def suggested_action(rule: str) -> str:
    return _(ACTIONS[rule]) if rule in ACTIONS else ""


def describe(rule: str, metrics: dict, *, rep: str, stage: str = "") -> str:
    """One sentence stating the condition with its figures."""
    m = metrics
    texts = {
        Rule.OFF_FUNNEL: lambda: _(
            "{rep}在统计期内有{n}笔签约未经过商机阶段（阈值{t}笔）。"
        ).format(rep=rep, n=m.get("deals"), t=m.get("threshold")),
        Rule.MANY_OPPORTUNITIES: lambda: _("{rep}手上有{n}个商机，统计期内仅签约{s}笔。").format(
            rep=rep, n=m.get("opportunities"), s=m.get("signings")
        ),
        Rule.LOW_MOVE_RATE: lambda: _(
            "{rep}在「{stage}」的移动率为{rate}%，低于下限{limit}%（理想{ideal}%）。"
        ).format(
            rep=rep, stage=stage, rate=m.get("rate"), limit=m.get("limit"), ideal=m.get("ideal")
        ),
        Rule.HIGH_ABANDONMENT: lambda: _(
            "{rep}统计期内分配的{n}条线索中放弃了{lost}条（{rate}%），超过上限{limit}%。"
        ).format(
            rep=rep,
            n=m.get("assigned"),
            lost=m.get("abandoned"),
            rate=m.get("rate"),
            limit=m.get("limit"),
        ),
        Rule.LONG_CYCLE: lambda: _(
            "{rep}最近{n}笔签约的平均周期为{days}天，理想周期{ideal}天。"
        ).format(rep=rep, n=m.get("deals"), days=m.get("average_days"), ideal=m.get("ideal_days")),
        Rule.NO_FOLLOW_UP: lambda: _("{rep}有{n}条线索分配超过{h}小时仍未跟进。").format(
            rep=rep, n=m.get("leads"), h=m.get("hours")
        ),
        Rule.NO_PROGRESS: lambda: _("{rep}有{n}条线索在当前阶段跟进了{k}次以上仍无进展。").format(
            rep=rep, n=m.get("leads"), k=m.get("follow_ups")
        ),
        Rule.STALLED: lambda: _("{rep}有{n}个线索已过预计成交日期仍未成交。").format(
            rep=rep, n=m.get("leads")
        ),
        Rule.COUNT_OFF_IDEAL: lambda: (
            _("{rep}在「{stage}」有{n}个客户，远高于理想的{ideal}个。")
            if m.get("direction") == "above"
            else _("{rep}在「{stage}」有{n}个客户，远低于理想的{ideal}个。")
        ).format(rep=rep, stage=stage, n=m.get("count"), ideal=m.get("ideal")),
    }
    return texts[rule]() if rule in texts else ""
