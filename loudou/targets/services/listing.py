"""Targets as listed and exported: each with its actual, completion and roll-up status."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext as _

from loudou.targets.choices import Metric, ScopeKind
from loudou.targets.models import Target
from loudou.targets.services.actuals import actuals
from loudou.targets.services.targets import RollupGroup, rollups


@dataclass(frozen=True)
class TargetRow:
    target: Target
    actual: Decimal | None
    completion_pct: float | None
    groups: list[RollupGroup]

    @property
    def rollup_status(self) -> str:
        """none (no children), balanced, unbalanced, or not_summed (a rate)."""
        if not self.groups:
            return "none"
        if any(g.balanced is None for g in self.groups):
            return "not_summed"
        return "balanced" if all(g.balanced for g in self.groups) else "unbalanced"

    @property
    def rollup_difference(self) -> Decimal | None:
        """The first group's difference that is not zero (parent − children)."""
        return next((g.difference for g in self.groups if g.difference), None)

    @property
    def rollup_text(self) -> str:
        status = self.rollup_status
        if status == "none":
            return _("未分解")
        if status == "not_summed":
            return _("比率不汇总")
        if status == "balanced":
            return _("分解合计一致")
        return _("分解合计差 {difference}").format(difference=self.rollup_difference)


def ordered(targets: QuerySet[Target]) -> QuerySet[Target]:
    """By start, the longer period first (a year before its first quarter and month), then
    metric and scope (company, region, product line, customer type, team, person)."""
    scope_rank = Case(
        *(When(scope_kind=kind, then=Value(i)) for i, kind in enumerate(ScopeKind.values)),
        output_field=IntegerField(),
    )
    metric_rank = Case(
        *(When(metric=metric, then=Value(i)) for i, metric in enumerate(Metric.values)),
        output_field=IntegerField(),
    )
    return targets.annotate(scope_rank=scope_rank, metric_rank=metric_rank).order_by(
        "start", "-end", "metric_rank", "scope_rank", "scope_key", "pk"
    )


def target_rows(targets: list[Target]) -> list[TargetRow]:
    """Rows for `targets`: two reads (the deals, the children's sums) whatever their
    number."""
    found, groups = actuals(targets), rollups(targets)
    return [
        TargetRow(
            target=t,
            actual=found[t.pk].value,
            completion_pct=found[t.pk].completion_pct,
            groups=groups[t.pk],
        )
        for t in targets
    ]
