"""The lead: one record for the whole engagement, from registration to signed deal.

Stages and the opportunity fields arrive with the pipeline app; grading, need match and
validity live here.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from loudou.core.models import TimeStampedModel, localized_name, widen_update_fields
from loudou.leads.choices import (
    BudgetFit,
    CustomerType,
    DecisionCycle,
    Grade,
    LeadStatus,
    MatchLevel,
    NeedLevel,
    PurchasingPower,
    RuleKind,
)
from loudou.pipeline.choices import Currency


class SourceChannel(models.Model):
    """Where leads come from (展会, 官网表单, …): a configurable list."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=60, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("线索来源")
        verbose_name_plural = _("线索来源")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return localized_name(self)


class LeadSequence(models.Model):
    """The last lead number issued per year; bumped with a conditional UPDATE."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("线索编号序列")
        verbose_name_plural = _("线索编号序列")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Lead(TimeStampedModel):
    """A lead (线索) and, later in its life, the opportunity and deal it becomes."""

    number = models.CharField(_("线索编号"), max_length=16, unique=True, editable=False)
    external_ref = models.CharField(
        _("外部编号"), max_length=80, null=True, blank=True, unique=True, editable=False
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("联系人记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    search_key = models.CharField(_("拼音检索"), max_length=500, blank=True, editable=False)
    company_key = models.CharField(
        _("查重键"), max_length=120, blank=True, editable=False, db_index=True
    )
    #: company_key's first dedupe.KEY_PREFIX letters: the candidates of a name are the
    #: newest leads of its prefix, read from (prefix, merged_into, id) in index order
    company_prefix = models.CharField(_("查重前缀"), max_length=8, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("已合并到"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    # the registration sheet (线索登记表)
    company_name = models.CharField(_("公司名称"), max_length=200)
    industry = models.ForeignKey(
        "org.Industry", verbose_name=_("行业"), null=True, blank=True, on_delete=models.PROTECT
    )
    employees = models.PositiveIntegerField(_("员工人数"), null=True, blank=True)
    annual_revenue = models.DecimalField(
        _("年营业额(万元)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    region = models.ForeignKey(
        "org.Region", verbose_name=_("区域"), null=True, blank=True, on_delete=models.PROTECT
    )
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_title = models.CharField(_("职位"), max_length=60, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("邮箱"), blank=True, db_index=True)
    wechat = models.CharField(_("微信"), max_length=60, blank=True)
    source = models.ForeignKey(
        SourceChannel, verbose_name=_("线索来源"), null=True, blank=True, on_delete=models.PROTECT
    )
    need_description = models.TextField(_("需求描述"), blank=True)
    pain_point = models.TextField(_("具体痛点"), blank=True)
    expected_purchase_date = models.DateField(_("预计采购时间"), null=True, blank=True)
    budget_min = models.DecimalField(
        _("预算下限(万元)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    budget_max = models.DecimalField(
        _("预算上限(万元)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    notes = models.TextField(_("备注"), blank=True)
    # grading inputs
    need_level = models.CharField(
        _("需求明确度"), max_length=10, choices=NeedLevel, default=NeedLevel.UNKNOWN
    )
    budget_fit = models.CharField(
        _("预算匹配"), max_length=10, choices=BudgetFit, default=BudgetFit.UNKNOWN
    )
    decision_cycle = models.CharField(
        _("决策周期"), max_length=10, choices=DecisionCycle, default=DecisionCycle.UNKNOWN
    )
    customer_type = models.CharField(
        _("客户类型"), max_length=10, choices=CustomerType, default=CustomerType.ORDINARY
    )
    purchasing_power = models.CharField(
        _("购买力"), max_length=10, choices=PurchasingPower, default=PurchasingPower.MEDIUM
    )
    # grading results
    intent_grade_auto = models.CharField(
        _("意向等级(规则)"), max_length=1, choices=Grade, default=Grade.C
    )
    intent_grade_override = models.CharField(
        _("意向等级(人工)"), max_length=1, choices=Grade, blank=True
    )
    intent_override_reason = models.TextField(_("意向等级调整原因"), blank=True)
    intent_grade = models.CharField(
        _("意向等级"), max_length=1, choices=Grade, default=Grade.C, db_index=True
    )
    rating_auto = models.CharField(
        _("客户评级(规则)"), max_length=1, choices=Grade, default=Grade.C
    )
    rating_override = models.CharField(_("客户评级(人工)"), max_length=1, choices=Grade, blank=True)
    rating_override_reason = models.TextField(_("客户评级调整原因"), blank=True)
    rating = models.CharField(
        _("客户评级"), max_length=1, choices=Grade, default=Grade.C, db_index=True
    )
    need_match_total = models.PositiveSmallIntegerField(_("需求匹配总分"), default=0)
    need_match_level = models.CharField(
        _("需求匹配度"), max_length=10, choices=MatchLevel, blank=True
    )
    # validity and ownership
    is_valid = models.BooleanField(_("有效线索"), default=True, db_index=True)
    invalid_reason = models.CharField(_("无效原因"), max_length=200, blank=True)
    #: imported closed history (won or lost) without any contact method: kept valid so
    #: that it counts in the funnel (ADR 0012); never set by hand
    is_historical = models.BooleanField(
        _("历史记录"),
        default=False,
        editable=False,
        help_text=_("导入的已结束商机（成交或放弃），没有联系方式也计入漏斗。"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_leads",
    )
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="captured_leads",
    )
    captured_at = models.DateTimeField(_("录入时间"), db_index=True)
    assigned_at = models.DateTimeField(_("分配时间"), null=True, blank=True)
    # funnel position: written only by pipeline.services.move_stage (with its ledger row)
    pipeline = models.ForeignKey(
        "pipeline.Pipeline",
        verbose_name=_("销售漏斗"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    stage = models.ForeignKey(
        "pipeline.Stage",
        verbose_name=_("阶段"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    stage_entered_at = models.DateTimeField(_("进入阶段时间"), null=True, blank=True)
    # follow-up state: written only by activities.services
    status = models.CharField(
        _("当前状态"), max_length=12, choices=LeadStatus, default=LeadStatus.PENDING, db_index=True
    )
    last_contact_at = models.DateTimeField(_("最近联系时间"), null=True, blank=True)
    #: derived from the follow-ups (activities.services.contacts), for analytics and the
    #: exception sweep at scale: the first follow-up, and the follow-ups dated at or after
    #: the lead entered its current stage
    first_contact_at = models.DateTimeField(
        _("首次联系时间"), null=True, blank=True, editable=False
    )
    stage_follow_ups = models.PositiveIntegerField(_("本阶段跟进次数"), default=0, editable=False)
    # the opportunity (商机)
    amount = models.DecimalField(
        _("金额"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    currency = models.CharField(_("币种"), max_length=3, choices=Currency, default=Currency.CNY)
    products = models.ManyToManyField(
        "org.ProductLine", verbose_name=_("产品"), blank=True, related_name="leads"
    )
    expected_close_date = models.DateField(_("预计成交日期"), null=True, blank=True)
    competitors = models.TextField(_("竞争对手"), blank=True)
    probability = models.PositiveSmallIntegerField(
        _("赢单概率(%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("留空则取阶段的赢单概率"),
    )
    technical_contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("技术决策人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    purchasing_contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("采购决策人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    management_contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("管理层决策人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("线索")
        verbose_name_plural = _("线索")
        ordering = ["-captured_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-captured_at"]),
            models.Index(fields=["captured_by", "-captured_at"]),
            models.Index(fields=["pipeline", "stage"]),
            models.Index(
                fields=["company_prefix", "merged_into", "id"], name="lead_company_prefix"
            ),
            # covering, ADR 0009: leads held per stage and owner (funnel, quota) and the
            # sweep's pass over the open leads (health.findings.tally) read the index alone
            models.Index(
                fields=[
                    "stage",
                    "owner",
                    "merged_into",
                    "is_valid",
                    "pipeline",
                    "stage_follow_ups",
                    "assigned_at",
                    "last_contact_at",
                    "expected_close_date",
                ],
                name="lead_held_cover",
            ),
            # covering: a period's cohort (captured_at range) with its stage and owner
            models.Index(
                fields=["pipeline", "captured_at", "merged_into", "stage", "owner"],
                name="lead_cohort_cover",
            ),
            # leads assigned in a period (process indicators), with what they read
            models.Index(
                fields=["assigned_at", "owner", "merged_into", "intent_grade", "first_contact_at"],
                name="lead_assigned_cover",
            ),
            # the same for one team's or rep's leads (owner first)
            models.Index(
                fields=["owner", "assigned_at", "merged_into", "intent_grade", "first_contact_at"],
                name="lead_owner_assigned_cover",
            ),
            # a team's or rep's leads that moved since a day (the move rates of a period:
            # a lead with a stay entered in the period entered its current stage since)
            models.Index(
                fields=["owner", "stage_entered_at", "merged_into", "pipeline"],
                name="lead_owner_entered_cover",
            ),
            # … and contacted since a day (follow-ups of a period)
            models.Index(
                fields=["owner", "last_contact_at", "merged_into"],
                name="lead_owner_contacted_cover",
            ),
            # the Kanban's newest cards per column, every owner's or one owner's, and its
            # capped counts and amounts, from the index alone (ADR 0019)
            models.Index(
                fields=["stage", "stage_entered_at", "id", "pipeline", "currency", "amount"],
                name="lead_board_stage",
                condition=models.Q(merged_into__isnull=True),
            ),
            models.Index(
                fields=[
                    "owner",
                    "stage",
                    "stage_entered_at",
                    "id",
                    "pipeline",
                    "currency",
                    "amount",
                ],
                name="lead_board_owner",
                condition=models.Q(merged_into__isnull=True),
            ),
            # the lead list's other sorts, ties broken by id (the keyset cursor's order)
            models.Index(fields=["updated_at", "id"], name="lead_list_updated"),
            models.Index(fields=["company_name", "id"], name="lead_list_company"),
            models.Index(fields=["intent_grade", "id"], name="lead_list_grade"),
            models.Index(fields=["rating", "id"], name="lead_list_rating"),
            # … and the same sorts one owner at a time: a manager's page merges each team
            # member's first rows (filters.keyset_page), a rep's is one range
            models.Index(fields=["owner", "updated_at", "id"], name="lead_owner_updated"),
            models.Index(fields=["owner", "company_name", "id"], name="lead_owner_company"),
            # the monthly trends' company-wide lead counts, from the index alone
            models.Index(fields=["captured_at", "merged_into"], name="lead_captured_cover"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.company_name}"

    def get_absolute_url(self) -> str:
        return reverse("leads:detail", args=[self.pk])

    def clean(self) -> None:
        if (
            self.budget_min is not None
            and self.budget_max is not None
            and self.budget_min > self.budget_max
        ):
            raise ValidationError({"budget_max": _("预算上限不能小于下限。")})

    def save(self, *args, **kwargs):
        from loudou.leads.dedupe import company_key, key_prefix
        from loudou.leads.search import pinyin_key

        self.search_key = pinyin_key(self.company_name, self.contact_name)
        self.company_key = company_key(self.company_name)
        self.company_prefix = key_prefix(self.company_key)
        derived = ["search_key", "company_key", "company_prefix"]
        widen_update_fields(kwargs, {"company_name", "contact_name"}, derived)
        super().save(*args, **kwargs)

    @property
    def has_contact(self) -> bool:
        """Whether any contact method (phone, e-mail, WeChat) is filled in."""
        return bool(self.phone or self.email or self.wechat)

    def derive_status(self) -> str:
        """当前状态 follows from the stage and the follow-ups: converted when the stage is
        won, lost when it is lost, in progress once contacted, pending before."""
        kind = self.stage.kind if self.stage_id else None
        if kind == "won":
            return LeadStatus.CONVERTED
        if kind == "lost":
            return LeadStatus.LOST
        return LeadStatus.IN_PROGRESS if self.last_contact_at else LeadStatus.PENDING

    @property
    def budget_range(self) -> str:
        low, high = self.budget_min, self.budget_max
        if low is None and high is None:
            return ""
        if low is None or high is None or low == high:
            return _("{amount}万").format(
                amount=f"{(low if low is not None else high).normalize():f}"
            )
        return _("{low}-{high}万").format(low=f"{low.normalize():f}", high=f"{high.normalize():f}")


class NeedItem(models.Model):
    """One core need of the customer, scored 1-5 against our strengths (需求匹配度评估)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="needs")
    need = models.CharField(_("核心需求"), max_length=200)
    score = models.PositiveSmallIntegerField(
        _("匹配得分"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("核心需求")
        verbose_name_plural = _("核心需求")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="needitem_score_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.need}: {self.score}"


class GradeRule(models.Model):
    """An editable grading rule: the first active rule of its kind whose conditions all
    hold gives the grade; when none holds the grade is C.

    `conditions` keys: need_level_in, budget_fit_in, decision_cycle_in, customer_type_in,
    source_in (lists of codes), min_employees, min_annual_revenue (numbers),
    has_valid_contact (bool).
    """

    kind = models.CharField(_("类别"), max_length=10, choices=RuleKind)
    grade = models.CharField(_("等级"), max_length=1, choices=Grade)
    priority = models.PositiveSmallIntegerField(_("优先级"), default=0)
    name = models.CharField(_("规则说明"), max_length=200)
    conditions = models.JSONField(_("条件"), default=dict)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("分级规则")
        verbose_name_plural = _("分级规则")
        ordering = ["kind", "priority", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.grade}: {self.name}"

    def clean(self) -> None:
        from loudou.leads.services.grading import validate_conditions

        validate_conditions(self.conditions)


class NeedMatchPolicy(models.Model):
    """Thresholds for classifying a need-match total (a single row, pk=1)."""

    high_min = models.PositiveSmallIntegerField(_("高匹配最低分"), default=20)
    medium_min = models.PositiveSmallIntegerField(_("中匹配最低分"), default=10)

    class Meta:
        verbose_name = _("需求匹配阈值")
        verbose_name_plural = _("需求匹配阈值")

    def __str__(self) -> str:
        return f"≥{self.high_min} / ≥{self.medium_min}"

    def clean(self) -> None:
        if self.medium_min >= self.high_min:
            raise ValidationError(_("中匹配最低分必须小于高匹配最低分。"))

    @classmethod
    def current(cls) -> "NeedMatchPolicy":
        return cls.objects.get_or_create(pk=1)[0]


class DedupePolicy(models.Model):
    """What a duplicate does to a lead coming from the API or an import (a single row, pk=1):
    warn = create it and record the matches; block = refuse it with the matches."""

    class Action(models.TextChoices):
        WARN = "warn", _("提醒（照常创建并标记）")
        BLOCK = "block", _("阻止（拒绝并返回重复记录）")

    api_action = models.CharField(
        _("接口重复时"), max_length=5, choices=Action, default=Action.WARN
    )
    import_action = models.CharField(
        _("导入重复时"), max_length=5, choices=Action, default=Action.WARN
    )

    class Meta:
        verbose_name = _("查重规则")
        verbose_name_plural = _("查重规则")

    def __str__(self) -> str:
        return f"api={self.api_action} import={self.import_action}"

    @classmethod
    def current(cls) -> "DedupePolicy":
        return cls.objects.get_or_create(pk=1)[0]


class SavedView(models.Model):
    """A user's named set of lead-list filters and sorting (保存的视图)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_lead_views"
    )
    name = models.CharField(_("名称"), max_length=60)
    query = models.CharField(_("筛选条件"), max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("保存的视图")
        verbose_name_plural = _("保存的视图")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_name_unique")
        ]

    def __str__(self) -> str:
        return self.name
