"""What the lead score reads from a lead, and how its factors are put into words.

Only the lead's own record and its first week of follow-ups: what is known of a lead
early in its life, so that a closed lead (training) and an open one (scoring) are
described alike. The total number of follow-ups is left out on purpose: a lead that
lives longer collects more of them whatever its outcome, and open leads are young.
"""

from datetime import timedelta

from django.db.models import Count, DateTimeField, ExpressionWrapper, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loudou.activities.models import FollowUp
from loudou.leads.choices import (
    BudgetFit,
    CustomerType,
    DecisionCycle,
    MatchLevel,
    NeedLevel,
    PurchasingPower,
)
from loudou.leads.models import Lead, SourceChannel
from loudou.org.models import Industry, Region
from loudou.pipeline.choices import StageKind
from loudou.scoring.modelling import MISSING, FeatureSpec

FIRST_WEEK = timedelta(days=7)

SPEC = FeatureSpec(
    categorical=(
        "source",
        "industry",
        "region",
        "customer_type",
        "need_level",
        "budget_fit",
        "decision_cycle",
        "purchasing_power",
        "intent_grade",
        "rating",
        "need_match_level",
        "has_contact",
        "has_budget",
    ),
    numeric=("employees", "annual_revenue", "need_match_total", "first_week_follow_ups"),
)

LABELS = {
    "source": gettext_lazy("线索来源"),
    "industry": gettext_lazy("行业"),
    "region": gettext_lazy("区域"),
    "customer_type": gettext_lazy("客户类型"),
    "need_level": gettext_lazy("需求明确度"),
    "budget_fit": gettext_lazy("预算匹配"),
    "decision_cycle": gettext_lazy("决策周期"),
    "purchasing_power": gettext_lazy("购买力"),
    "intent_grade": gettext_lazy("意向等级"),
    "rating": gettext_lazy("客户评级"),
    "need_match_level": gettext_lazy("需求匹配度"),
    "has_contact": gettext_lazy("联系方式"),
    "has_budget": gettext_lazy("预算范围"),
    "employees": gettext_lazy("员工人数"),
    "annual_revenue": gettext_lazy("年营业额(万元)"),
    "need_match_total": gettext_lazy("需求匹配总分"),
    "first_week_follow_ups": gettext_lazy("首周跟进次数"),
}
CHOICES = {
    "customer_type": CustomerType,
    "need_level": NeedLevel,
    "budget_fit": BudgetFit,
    "decision_cycle": DecisionCycle,
    "purchasing_power": PurchasingPower,
    "need_match_level": MatchLevel,
}
_COLUMNS = (
    "pk",
    "source__code",
    "industry_id",
    "region_id",
    "customer_type",
    "need_level",
    "budget_fit",
    "decision_cycle",
    "purchasing_power",
    "intent_grade",
    "rating",
    "need_match_level",
    "phone",
    "email",
    "wechat",
    "budget_min",
    "budget_max",
    "employees",
    "annual_revenue",
    "need_match_total",
    "first_week",
    "stage__kind",
)


def closed_leads():
    """The history the model learns from: valid, unmerged leads now in a won or lost
    stage."""
    return Lead.objects.filter(
        merged_into__isnull=True, is_valid=True, stage__kind__in=[StageKind.WON, StageKind.LOST]
    )


def open_leads():
    """The leads that get a score: valid, unmerged, not (yet) won or lost."""
    return Lead.objects.filter(merged_into__isnull=True, is_valid=True).filter(
        Q(stage__isnull=True) | Q(stage__kind=StageKind.OPEN)
    )


def _first_week():
    week_end = ExpressionWrapper(OuterRef("captured_at") + FIRST_WEEK, output_field=DateTimeField())
    counts = (
        FollowUp.objects.filter(lead=OuterRef("pk"), occurred_at__lt=week_end)
        .order_by()
        .values("lead")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counts), 0)


def table(leads) -> dict[str, list]:
    """The features of `leads` (a queryset), column by column, plus `pk` and `won`
    (1 won, 0 lost, None open). One query; follow-ups counted by a correlated subquery
    on the (lead, occurred_at) index."""
    rows = leads.order_by("pk").annotate(first_week=_first_week()).values_list(*_COLUMNS)
    columns: dict[str, list] = {name: [] for name in ("pk", "won", *SPEC.names)}
    for row in rows:
        values = dict(zip(_COLUMNS, row, strict=True))
        for name, value in _features(values).items():
            columns[name].append(value)
    return columns


def _features(row: dict) -> dict:
    kind = row["stage__kind"]
    return {
        "pk": row["pk"],
        "won": 1 if kind == StageKind.WON else 0 if kind == StageKind.LOST else None,
        "source": row["source__code"],
        "industry": row["industry_id"],
        "region": row["region_id"],
        **{name: row[name] for name in CHOICES},
        "intent_grade": row["intent_grade"],
        "rating": row["rating"],
        "has_contact": "yes" if (row["phone"] or row["email"] or row["wechat"]) else "no",
        "has_budget": "no" if row["budget_min"] is None and row["budget_max"] is None else "yes",
        "employees": row["employees"],
        "annual_revenue": row["annual_revenue"],
        "need_match_total": row["need_match_total"],
        "first_week_follow_ups": row["first_week"],
    }


def describe(factor: dict) -> dict:
    """A stored factor in words: {label, value, raises} for the lead page."""
    feature, value = factor["feature"], factor["value"]
    return {
        "label": LABELS.get(feature, feature),
        "value": _value_text(feature, value),
        "raises": factor["effect"] > 0,
    }


def _value_text(feature: str, value) -> str:
    if value in (None, MISSING):
        return _("未填写")
    if feature in CHOICES:
        return str(dict(CHOICES[feature].choices).get(value, value))
    if feature in ("has_contact", "has_budget"):
        return _("有") if value == "yes" else _("无")
    if feature in ("intent_grade", "rating"):
        return str(value).upper()
    if feature == "source":
        found = SourceChannel.objects.filter(code=value).first()
        return str(found) if found else str(value)
    if feature in ("industry", "region"):
        model = Industry if feature == "industry" else Region
        found = model.objects.filter(pk=int(value)).first() if str(value).isdigit() else None
        return str(found) if found else str(value)
    return str(value)
