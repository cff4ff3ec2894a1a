"""Reads of the lead score for pages. Callers pass leads they already got through
`visible_leads` / `access_lead`, so a score is shown only where its lead may be seen."""

from collections.abc import Iterable
from dataclasses import dataclass, field

import sklearn
from django.utils.translation import gettext as _

from loudou.leads.models import Lead
from loudou.pipeline.choices import StageKind
from loudou.scoring.models import LeadScore, ScoringModel
from loudou.scoring.services import MIN_LOST, MIN_WON, current_model, predict


@dataclass
class ScoreView:
    """A lead's score as shown: percent (None with a reason), top factors, and whether
    it was computed for this page (a lead registered since the last training)."""

    percent: int | None = None
    reason: str = ""
    factors: list[dict] = field(default_factory=list)
    model: ScoringModel | None = None
    scored_at: object = None
    on_demand: bool = False


def model_reason(model: ScoringModel | None) -> str:
    """Why no lead has a score, or "" when the model is usable."""
    if model is None:
        return _("尚未训练：模型每天自动训练一次。")
    if not model.is_usable:
        text = _(
            "历史数据不足：已成交 {won} 个、已放弃 {lost} 个，"
            "各需至少 {won_min} 个和 {lost_min} 个。"
        )
        return text.format(won=model.won, lost=model.lost, won_min=MIN_WON, lost_min=MIN_LOST)
    return ""


def _lead_reason(lead: Lead) -> str:
    if lead.merged_into_id:
        return _("已合并的线索不评分。")
    if not lead.is_valid:
        return _("无效线索不评分。")
    if lead.stage_id and lead.stage.kind != StageKind.OPEN:
        return _("线索已结束，不再预测。")
    return ""


def _percent(probability: float) -> int:
    return round(probability * 100)


def scores_for(leads: Iterable[Lead]) -> dict[int, ScoreView]:
    """{lead id: ScoreView}: the stored score of the current model; an open lead without
    one (registered since the last training) is scored on the spot, not stored. Three
    queries at most, whatever the number of leads."""
    leads = list(leads)
    model = current_model()
    reason = model_reason(model)
    if reason:
        return {lead.pk: ScoreView(reason=reason, model=model) for lead in leads}
    views = {lead.pk: ScoreView(reason=_lead_reason(lead), model=model) for lead in leads}
    scored = [pk for pk, view in views.items() if not view.reason]
    for score in LeadScore.objects.filter(lead_id__in=scored, model=model):
        view = views[score.lead_id]
        view.percent, view.factors = _percent(score.probability), score.factors
        view.scored_at = score.scored_at
    missing = [pk for pk in scored if views[pk].percent is None]
    if missing and model.sklearn_version != sklearn.__version__:
        for pk in missing:  # a model pickled by another scikit-learn waits for the retrain
            views[pk].reason = _("模型等待重新训练。")
    elif missing:
        computed = predict(model, Lead.objects.filter(pk__in=missing))
        for pk, (probability, factors) in computed.items():
            view = views[pk]
            view.percent, view.factors, view.on_demand = _percent(probability), factors, True
    return views
