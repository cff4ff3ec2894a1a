"""The predictive lead score (SPEC §3): the trained models, one row per version, and the
latest score of each open lead. Both are derived data: `services.retrain_lead_score`
writes them, from the leads' records and outcomes only (ADR 0014)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ModelStatus(models.TextChoices):
    TRAINED = "trained", _("已训练")
    INSUFFICIENT = "insufficient", _("历史数据不足")


class ScoringModel(models.Model):
    """One training run: a fitted model (its version is the row id) or, when there was
    too little won/lost history, the counts that were missing."""

    trained_at = models.DateTimeField(_("训练时间"))
    status = models.CharField(_("状态"), max_length=12, choices=ModelStatus)
    won = models.PositiveIntegerField(_("成交样本"))
    lost = models.PositiveIntegerField(_("放弃样本"))
    #: ROC AUC on a held-out quarter of the history (before the final fit on all of it)
    auc = models.FloatField(_("AUC"), null=True, blank=True)
    #: sha256 of the training rows and outcomes: an unchanged history is not refitted
    fingerprint = models.CharField(max_length=64, blank=True)
    sklearn_version = models.CharField(max_length=20, blank=True)
    #: modelling.LeadModel.dumps(); written and read only by this app
    blob = models.BinaryField(null=True, editable=False)

    class Meta:
        verbose_name = _("评分模型")
        verbose_name_plural = _("评分模型")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"v{self.pk} {self.status}"

    @property
    def is_usable(self) -> bool:
        return self.status == ModelStatus.TRAINED


class LeadScore(models.Model):
    """The predicted chance that an open lead is won, from the model that scored it, with
    the three features that move it most (`[{feature, value, effect}]`, effect in
    log-odds, positive = raises)."""

    lead = models.OneToOneField(
        "leads.Lead", on_delete=models.CASCADE, primary_key=True, related_name="lead_score"
    )
    model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="scores")
    probability = models.FloatField(_("预测成交率"))
    factors = models.JSONField(_("主要因素"), default=list)
    scored_at = models.DateTimeField(_("评分时间"))

    class Meta:
        verbose_name = _("线索预测评分")
        verbose_name_plural = _("线索预测评分")

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.probability:.3f}"
