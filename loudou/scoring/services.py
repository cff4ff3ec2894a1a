"""Training the lead score on the organisation's won/lost history and scoring the open
leads with it (ADR 0014). Called daily by the worker (`tasks.retrain_lead_score`)."""

import hashlib
from datetime import datetime
from itertools import batched

import numpy as np
import sklearn
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone

from loudou.leads.models import Lead
from loudou.scoring.features import SPEC, closed_leads, open_leads, table
from loudou.scoring.modelling import KNOTS, MIN_CATEGORY, C, LeadModel, fit_model, holdout_auc
from loudou.scoring.modelling import matrix as feature_matrix
from loudou.scoring.models import LeadScore, ModelStatus, ScoringModel

#: Fewer won or fewer lost leads than this in the history: no model.
MIN_WON = 30
MIN_LOST = 30
#: The most recent closed leads a model learns from (by capture time).
MAX_TRAINING = 50_000
#: Model versions kept (older rows are deleted; only the newest has scores).
KEEP_VERSIONS = 5
BATCH = 2000

_loaded: dict[tuple[int, str], LeadModel] = {}


def current_model() -> ScoringModel | None:
    """The latest training run (fitted or not), without its blob."""
    return ScoringModel.objects.defer("blob").order_by("-pk").first()


def load_model(model: ScoringModel) -> LeadModel:
    """The fitted model of a row, unpickled once per process and version."""
    key = (model.pk, model.fingerprint)
    if key not in _loaded:
        blob = ScoringModel.objects.values_list("blob", flat=True).get(pk=model.pk)
        _loaded.clear()
        _loaded[key] = LeadModel.loads(bytes(blob))
    return _loaded[key]


def training_table() -> dict[str, list]:
    """Features and outcome of the latest MAX_TRAINING closed leads."""
    latest = closed_leads().order_by("-captured_at", "-pk").values("pk")[:MAX_TRAINING]
    return table(Lead.objects.filter(pk__in=Subquery(latest)))


def retrain_lead_score(*, now: datetime | None = None) -> ScoringModel:
    """Fit a new model version on the history, or record that it is too short (fewer than
    MIN_WON won or MIN_LOST lost leads: no scores at all); then score every open lead.
    Idempotent: an unchanged history keeps its version, an unchanged score its row."""
    now = now or timezone.now()
    history = training_table()
    won = sum(history["won"])
    lost = len(history["won"]) - won
    if won < MIN_WON or lost < MIN_LOST:
        return _insufficient(won=won, lost=lost, now=now)
    x, y = feature_matrix(history, SPEC), history["won"]
    fingerprint = _fingerprint(x, y)
    model = current_model()
    if model is None or not model.is_usable or model.fingerprint != fingerprint:
        model = _train(x, y, fingerprint=fingerprint, now=now)
    score_open_leads(model=model, now=now)
    _prune()
    return model


def _fingerprint(x: np.ndarray, y: list[int]) -> str:
    digest = hashlib.sha256()
    settings = (SPEC, C, MIN_CATEGORY, KNOTS.ravel().tolist(), sklearn.__version__)
    digest.update(repr(settings).encode())  # an upgraded scikit-learn refits
    digest.update(repr(x.tolist()).encode())
    digest.update(repr(list(y)).encode())
    return digest.hexdigest()


def _train(x: np.ndarray, y: list[int], *, fingerprint: str, now: datetime) -> ScoringModel:
    auc = holdout_auc(x, y, SPEC)
    fitted = fit_model(x, y, SPEC)
    won = sum(y)
    return ScoringModel.objects.create(
        trained_at=now,
        status=ModelStatus.TRAINED,
        won=won,
        lost=len(y) - won,
        auc=round(auc, 4),
        fingerprint=fingerprint,
        sklearn_version=fitted.sklearn_version,
        blob=fitted.dumps(),
    )


@transaction.atomic
def _insufficient(*, won: int, lost: int, now: datetime) -> ScoringModel:
    latest = current_model()
    if latest is None or latest.is_usable or (latest.won, latest.lost) != (won, lost):
        latest = ScoringModel.objects.create(
            trained_at=now, status=ModelStatus.INSUFFICIENT, won=won, lost=lost
        )
    LeadScore.objects.all().delete()
    return latest


def predict(model: ScoringModel, leads) -> dict[int, tuple[float, list[dict]]]:
    """{lead id: (probability, top factors)} for a queryset of leads."""
    features = table(leads)
    x = feature_matrix(features, SPEC)
    fitted = load_model(model)
    probabilities = fitted.probabilities(x)
    factors = fitted.top_factors(x)
    return {
        pk: (round(float(p), 6), f)
        for pk, p, f in zip(features["pk"], probabilities, factors, strict=True)
    }


def score_open_leads(*, model: ScoringModel, now: datetime) -> int:
    """Store the score of every open lead; returns how many rows changed. Scores of other
    versions and of leads no longer open are deleted."""
    changed = 0
    ids = list(open_leads().order_by("pk").values_list("pk", flat=True))
    for chunk in batched(ids, BATCH):
        changed += _store(model, predict(model, Lead.objects.filter(pk__in=chunk)), now)
    with transaction.atomic():
        LeadScore.objects.exclude(model=model).delete()
        LeadScore.objects.exclude(lead__in=open_leads().values("pk")).delete()
    return changed


@transaction.atomic
def _store(model: ScoringModel, scores: dict, now: datetime) -> int:
    existing = {
        s.lead_id: (s.model_id, s.probability, s.factors)
        for s in LeadScore.objects.filter(lead_id__in=list(scores))
    }
    rows = [
        LeadScore(lead_id=pk, model=model, probability=p, factors=f, scored_at=now)
        for pk, (p, f) in scores.items()
        if existing.get(pk) != (model.pk, p, f)
    ]
    LeadScore.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["lead"],
        update_fields=["model", "probability", "factors", "scored_at"],
    )
    return len(rows)


def _prune() -> None:
    old = list(ScoringModel.objects.order_by("-pk").values_list("pk", flat=True)[KEEP_VERSIONS:])
    if old:
        ScoringModel.objects.filter(pk__in=old).delete()
