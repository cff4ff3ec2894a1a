"""The lead score in lead templates (`{% load scoring_tags %}`): the leads app renders it
without importing this app."""

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from loudou.scoring.features import describe
from loudou.scoring.selectors import ScoreView, scores_for

register = template.Library()


@register.simple_tag
def lead_scores(leads) -> dict[int, ScoreView]:
    """The scores of a page of leads, read at once: `{% lead_scores leads as scores %}`."""
    return scores_for(leads)


def _title(view: ScoreView) -> str:
    if view.on_demand:
        return _("模型 v{version}，即时计算").format(version=view.model.pk)
    return _("模型 v{version}，{time} 评分").format(
        version=view.model.pk, time=f"{timezone.localtime(view.scored_at):%Y-%m-%d %H:%M}"
    )


@register.simple_tag
def score_cell(scores: dict[int, ScoreView], lead) -> str:
    """“37%”, or “—” with the reason in its title."""
    view = scores.get(lead.pk)
    if view is None or view.percent is None:
        return format_html('<span class="muted" title="{}">—</span>', view.reason if view else "")
    return format_html('<span title="{}">{}%</span>', _title(view), view.percent)


@register.inclusion_tag("scoring/_lead_score.html")
def lead_score_panel(lead) -> dict:
    """The lead page's 预测成交率: percent, model, and the factors that drive it."""
    view = scores_for([lead])[lead.pk]
    return {
        "score": view,
        "title": _title(view) if view.percent is not None else "",
        "factors": [describe(f) for f in view.factors],
    }
