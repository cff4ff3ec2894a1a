"""The lead-score model: features → one-hot / spline terms → regularised logistic
regression, and its explanation. Pure: no Django models, no database (ADR 0014).

A table is anything that gives a sequence of values per feature name (`table[name]`): a
dict of lists in the app, a pandas DataFrame in the X Education benchmark. Both go
through the same `matrix` and `fit_model`.

Explanation: the model is additive in log-odds, so a lead's log-odds are the intercept,
plus the average lead's terms, plus one contribution per feature:
contribution(f) = Σ over f's columns of coefficient × (value − training mean). For a
linear model this is exactly its SHAP value (features taken as independent); the top
three by size, with their sign, are the factors shown beside the score.
"""

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    QuantileTransformer,
    SplineTransformer,
)
from threadpoolctl import threadpool_limits

#: The value of a category left empty; also what the placeholder texts below become.
MISSING = "(missing)"
#: Texts that mean "not chosen" in forms and exports (X Education writes `Select`).
MISSING_TOKENS = frozenset({"", "select", "请选择", "nan", "null"})
#: A category seen fewer times in training is pooled with the other rare ones.
MIN_CATEGORY = 5
#: Inverse strength of the L2 penalty of the logistic regression.
C = 1.0
#: Knots of the spline of a numeric feature, on its quantile scale (0..1).
KNOTS = np.linspace(0.0, 1.0, 5).reshape(-1, 1)
RANDOM_STATE = 0


@dataclass(frozen=True)
class FeatureSpec:
    """Which features the model reads, by kind."""

    categorical: tuple[str, ...]
    numeric: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return self.categorical + self.numeric


def category(value: Any) -> str:
    """A category as the model sees it: trimmed, case-folded (`Google` = `google`), and
    MISSING for empty values and placeholders."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    text = str(value).strip().casefold()
    return MISSING if text in MISSING_TOKENS else text


def number(value: Any) -> float:
    """A numeric feature as a float; NaN when empty (imputed with the training median)."""
    if value is None or value == "":
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def matrix(table: Any, spec: FeatureSpec) -> np.ndarray:
    """Rows × spec.names as an object array: categories as text, numbers as floats."""
    columns = [[category(v) for v in table[name]] for name in spec.categorical]
    columns += [[number(v) for v in table[name]] for name in spec.numeric]
    rows = len(columns[0]) if columns else 0
    result = np.empty((rows, len(columns)), dtype=object)
    for i, column in enumerate(columns):
        result[:, i] = column
    return result


def _as_float(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=float)


def build_pipeline(spec: FeatureSpec, *, n_samples: int) -> Pipeline:
    """One transformer per feature (so that each output column belongs to one feature):
    categories one-hot (rare ones pooled, unseen ones ignored); numbers imputed with the
    median, put on their quantile scale and expanded into a cubic spline, so a non-linear
    effect (more visits help, then stop helping) stays additive; then an L2-regularised
    logistic regression."""
    categorical = make_pipeline(
        OneHotEncoder(
            handle_unknown="infrequent_if_exist",
            min_frequency=MIN_CATEGORY,
            sparse_output=False,
        )
    )
    numeric = make_pipeline(
        FunctionTransformer(_as_float),
        SimpleImputer(strategy="median", keep_empty_features=True),
        QuantileTransformer(n_quantiles=max(2, min(100, n_samples))),
        SplineTransformer(knots=KNOTS, degree=3),
    )
    columns = [(name, categorical, [i]) for i, name in enumerate(spec.categorical)]
    offset = len(spec.categorical)
    columns += [(name, numeric, [offset + i]) for i, name in enumerate(spec.numeric)]
    return Pipeline(
        [
            ("features", ColumnTransformer(columns, sparse_threshold=0)),
            ("model", LogisticRegression(C=C, max_iter=5000)),
        ]
    )


@dataclass
class LeadModel:
    """A fitted pipeline with what its explanation needs."""

    spec: FeatureSpec
    pipeline: Pipeline
    #: mean of each transformed column over the training rows
    baseline: np.ndarray
    sklearn_version: str

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        if not len(x):
            return np.empty(0)
        return self.pipeline.predict_proba(x)[:, 1]

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Rows × features: each feature's share of the log-odds against the average
        training lead (they sum to logit(p) − the average lead's log-odds)."""
        z = self.pipeline.named_steps["features"].transform(x)
        weights = self.pipeline.named_steps["model"].coef_[0]
        parts = (z - self.baseline) * weights
        slices = self.pipeline.named_steps["features"].output_indices_
        return np.column_stack([parts[:, slices[name]].sum(axis=1) for name in self.spec.names])

    def top_factors(self, x: np.ndarray, k: int = 3) -> list[list[dict]]:
        """Per row, the k features that move its score most: name, the value the model
        saw, and the contribution in log-odds (positive raises the score)."""
        if not len(x):
            return []
        parts = self.contributions(x)
        result = []
        for row, effects in zip(x, parts, strict=True):
            order = np.argsort(-np.abs(effects), kind="stable")[:k]
            result.append(
                [
                    {
                        "feature": self.spec.names[i],
                        "value": _plain(row[i]),
                        "effect": round(float(effects[i]), 4),
                    }
                    for i in order
                    if abs(effects[i]) >= 1e-6
                ]
            )
        return result

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        joblib.dump(self, buffer)
        return buffer.getvalue()

    @staticmethod
    def loads(blob: bytes) -> "LeadModel":
        """Only blobs this module wrote (`dumps`, stored in our own database) are loaded."""
        return joblib.load(io.BytesIO(blob))


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else (int(value) if value.is_integer() else value)
    return value


def fit_model(x: np.ndarray, y: Sequence[int], spec: FeatureSpec) -> LeadModel:
    """Fit the pipeline on rows `x` (from `matrix`) with outcomes `y` (1 = won)."""
    pipeline = build_pipeline(spec, n_samples=len(x))
    with threadpool_limits(limits=1):  # BLAS threads fight the web processes for 2 cores
        pipeline.fit(x, np.asarray(y, dtype=int))
    baseline = pipeline.named_steps["features"].transform(x).mean(axis=0)
    return LeadModel(spec, pipeline, baseline, sklearn.__version__)


def holdout_auc(
    x: np.ndarray, y: Sequence[int], spec: FeatureSpec, *, test_size: float = 0.25
) -> float:
    """ROC AUC of a model fitted on a stratified share of the rows, on the rest."""
    y = np.asarray(y, dtype=int)
    train, test = train_test_split(
        np.arange(len(y)), test_size=test_size, random_state=RANDOM_STATE, stratify=y
    )
    model = fit_model(x[train], y[train], spec)
    return float(roc_auc_score(y[test], model.probabilities(x[test])))
