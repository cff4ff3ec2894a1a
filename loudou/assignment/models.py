"""Pools (公海), claims, assignment rules and their ledger, handovers.

Ownership itself stays on `leads.Lead.owner`; this app keeps its own state in its own
tables and changes the owner only with conditional UPDATEs.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from loudou.assignment.choices import (
    AssignVia,
    EntryReason,
    HandoverSpread,
    IntakeMode,
    RuleKind,
)


class Pool(models.Model):
    """A common pool (公海) of unowned leads, optionally narrowed by region, product line
    or source, with its claim caps, protection and cool-down periods."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    region = models.ForeignKey(
        "org.Region", verbose_name=_("区域"), null=True, blank=True, on_delete=models.PROTECT
    )
    product_line = models.ForeignKey(
        "org.ProductLine",
        verbose_name=_("产品线"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    source = models.ForeignKey(
        "leads.SourceChannel",
        verbose_name=_("线索来源"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    max_claims_per_day = models.PositiveSmallIntegerField(_("每人每日领取上限"), default=5)
    max_holding = models.PositiveIntegerField(
        _("每人持有上限"), null=True, blank=True, help_text=_("留空则取用户容量")
    )
    protection_days = models.PositiveSmallIntegerField(
        _("保护期(天)"), default=30, help_text=_("领取或最近跟进后多少天内未跟进则回收")
    )
    protection_days_by_grade = models.JSONField(
        _("按等级保护期"), default=dict, blank=True, help_text=_('例如 {"A": 45, "C": 15}')
    )
    recycle_lost = models.BooleanField(_("回收放弃阶段的线索"), default=True)
    cooldown_days = models.PositiveSmallIntegerField(_("冷处理(天)"), default=7)
    previous_owner_cooldown_days = models.PositiveSmallIntegerField(
        _("原负责人冷处理(天)"), default=30
    )

    class Meta:
        verbose_name = _("公海")
        verbose_name_plural = _("公海")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        by_grade = self.protection_days_by_grade
        if not isinstance(by_grade, dict) or any(
            grade not in GRADES or not _whole(days, 1, 3650) for grade, days in by_grade.items()
        ):
            raise ValidationError(
                {
                    "protection_days_by_grade": _(
                        '请按 {"A": 45} 的格式填写，等级为 A/B/C，天数 1-3650。'
                    )
                }
            )
        if self.previous_owner_cooldown_days < self.cooldown_days:
            raise ValidationError(
                {"previous_owner_cooldown_days": _("原负责人的冷处理期不能短于所有人的冷处理期。")}
            )

    def protection_days_for(self, grade: str) -> int:
        return int(self.protection_days_by_grade.get(grade, self.protection_days))


GRADES = ("A", "B", "C")


def _whole(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


class PoolEntry(models.Model):
    """A lead currently lying in a pool; deleted when someone claims it."""

    lead = models.OneToOneField("leads.Lead", on_delete=models.CASCADE, related_name="pool_entry")
    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="entries")
    entered_at = models.DateTimeField(_("入池时间"), db_index=True)
    reason = models.CharField(_("入池原因"), max_length=20, choices=EntryReason)
    previous_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("原负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cooldown_until = models.DateTimeField(_("冷处理至"), null=True, blank=True)
    previous_owner_cooldown_until = models.DateTimeField(
        _("原负责人冷处理至"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("公海线索")
        verbose_name_plural = _("公海线索")
        ordering = ["-entered_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pool}: {self.lead_id}"


class ClaimDay(models.Model):
    """How many leads a rep claimed from a pool on one local day: bumped by a conditional
    UPDATE under the cap, so parallel claims cannot pass the daily cap together."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("每日领取计数")
        verbose_name_plural = _("每日领取计数")
        constraints = [
            models.UniqueConstraint(fields=["user", "pool", "day"], name="claim_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.pool_id} {self.day}: {self.count}"


class AssignmentRule(models.Model):
    """One step of the assignment rules, applied in `order` to narrow the eligible reps.

    `settings` by kind: grade_seniority → {"A": ["senior_rep"], "C": ["assistant"]} (roles
    per grade); round_robin → {"weights": {"<user id>": 2}} (default weight 1).
    """

    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=20, choices=RuleKind)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    settings = models.JSONField(_("参数"), default=dict, blank=True)

    class Meta:
        verbose_name = _("分配规则")
        verbose_name_plural = _("分配规则")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.settings, dict):
            raise ValidationError({"settings": _("参数必须是 JSON 对象。")})
        check = _RULE_SETTINGS_CHECKS.get(self.kind)
        problem = check(self.settings) if check else None
        if problem:
            raise ValidationError({"settings": problem})


def _check_specialty(values: dict) -> str | None:
    return _("擅长行业/区域规则没有参数，请填写 {}。") if values else None


def _check_grade_roles(values: dict) -> str | None:
    from loudou.org.choices import Role

    for grade, roles in values.items():
        if grade not in GRADES:
            return _("未知的等级“{grade}”，只能是 A、B、C。").format(grade=str(grade)[:10])
        if not isinstance(roles, list) or not roles or any(r not in Role.values for r in roles):
            return _("等级 {grade} 的角色必须是非空列表，取值：{roles}。").format(
                grade=grade, roles=", ".join(Role.values)
            )
    return None


def _check_capacity(values: dict) -> str | None:
    if set(values) - {"least_loaded"} or not isinstance(values.get("least_loaded", False), bool):
        return _('容量规则只接受 {"least_loaded": true/false}。')
    return None


def _check_weights(values: dict) -> str | None:
    from django.contrib.auth import get_user_model

    weights = values.get("weights", {})
    if set(values) - {"weights"} or not isinstance(weights, dict):
        return _('轮询规则只接受 {"weights": {"用户ID": 权重}}。')
    for key, weight in weights.items():
        number = isinstance(weight, int | float) and not isinstance(weight, bool)
        if not (str(key).isdigit() and number and 0 < weight <= 100):
            return _("权重必须是 0-100 之间的正数，键为用户ID：{key}。").format(key=str(key)[:20])
    ids = {int(key) for key in weights}
    if len(ids) != get_user_model().objects.filter(pk__in=ids).count():
        return _("权重中有不存在的用户ID。")
    return None


_RULE_SETTINGS_CHECKS = {
    RuleKind.SPECIALTY: _check_specialty,
    RuleKind.GRADE_SENIORITY: _check_grade_roles,
    RuleKind.CAPACITY: _check_capacity,
    RuleKind.ROUND_ROBIN: _check_weights,
}


class RoundRobinState(models.Model):
    """When a rep last got a lead by rule: the round-robin pointer (no debt is kept, so a
    rep back from leave does not get a flood)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="round_robin_state"
    )
    credit = models.FloatField(_("轮询位置"), default=0)
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("轮询状态")
        verbose_name_plural = _("轮询状态")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.credit}"


class Assignment(models.Model):
    """Append-only ledger of who got which lead, how and why (“why this rep”)."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    via = models.CharField(_("方式"), max_length=20, choices=AssignVia)
    rule = models.ForeignKey(
        AssignmentRule,
        verbose_name=_("规则"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pool = models.ForeignKey(
        Pool, verbose_name=_("公海"), null=True, blank=True, on_delete=models.SET_NULL
    )
    explanation = models.TextField(_("分配理由"), blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("分配记录")
        verbose_name_plural = _("分配记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "via", "at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["lead"],
                condition=models.Q(via=AssignVia.SELF_SOURCED),
                name="assignment_self_sourced_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} → {self.user_id}"


class Handover(models.Model):
    """A handover (人员变动) of everything one user held: what went to whom."""

    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("交出人"),
        on_delete=models.PROTECT,
        related_name="handovers_from",
    )
    spread = models.CharField(_("分配方式"), max_length=20, choices=HandoverSpread)
    items = models.JSONField(_("交接明细"), default=list)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("人员交接")
        verbose_name_plural = _("人员交接")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_user} @ {self.at:%Y-%m-%d}"


class IntakePolicy(models.Model):
    """What happens to leads marketing registers by hand or through the API (a single row,
    pk=1); web forms carry their own mode (webforms.WebForm.intake_mode)."""

    marketing_mode = models.CharField(
        _("市场部录入的线索"), max_length=10, choices=IntakeMode, default=IntakeMode.MARKETING
    )

    class Meta:
        verbose_name = _("新线索分配方式")
        verbose_name_plural = _("新线索分配方式")

    def __str__(self) -> str:
        return f"marketing={self.marketing_mode}"

    @classmethod
    def current(cls) -> "IntakePolicy":
        return cls.objects.get_or_create(pk=1)[0]
