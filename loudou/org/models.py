"""People and organisation: users with roles, teams, regions, product lines, industries."""

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from loudou.core.models import ReferenceItem
from loudou.org.choices import ALL_SEEING, REVEALING, Language, Role


class Region(ReferenceItem):
    """A sales region (华东, 华南, 华北, …)."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("区域")
        verbose_name_plural = _("区域")


class Industry(ReferenceItem):
    """A customer industry (制造业, 零售业, 服务业, …)."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("行业")
        verbose_name_plural = _("行业")


class ProductLine(ReferenceItem):
    """A product line; pipelines and targets are split by it."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("产品线")
        verbose_name_plural = _("产品线")


class Team(models.Model):
    """A sales team of 6-8 reps led by a manager."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    manager = models.ForeignKey(
        "org.User",
        verbose_name=_("经理"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_teams",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("区域"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("团队")
        verbose_name_plural = _("团队")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who uses Loudou, with a role, a team, specialties and a capacity."""

    role = models.CharField(_("角色"), max_length=20, choices=Role, default=Role.JUNIOR_REP)
    team = models.ForeignKey(
        Team,
        verbose_name=_("团队"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    display_name = models.CharField(_("姓名"), max_length=60, blank=True)
    language = models.CharField(
        _("界面语言"), max_length=10, choices=Language, default=Language.ZH_HANS
    )
    specialty_industries = models.ManyToManyField(
        Industry, verbose_name=_("擅长行业"), blank=True, related_name="specialists"
    )
    specialty_regions = models.ManyToManyField(
        Region, verbose_name=_("负责区域"), blank=True, related_name="specialists"
    )
    capacity = models.PositiveIntegerField(_("容量"), default=30, help_text=_("同时跟进的线索上限"))
    on_leave = models.BooleanField(_("休假中"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def sees_all(self) -> bool:
        return self.is_superuser or self.role in ALL_SEEING

    @property
    def may_reveal_contacts(self) -> bool:
        """Whether the user may unmask contact details of records they see (logged)."""
        return self.is_superuser or self.role in REVEALING

    @property
    def is_org_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    def has_perm(self, perm, obj=None) -> bool:
        """Administrators manage the organisation in the admin without per-model grants."""
        return (self.is_active and self.role == Role.ADMIN) or super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        return (self.is_active and self.role == Role.ADMIN) or super().has_module_perms(app_label)


class LoginThrottle(models.Model):
    """Failed logins counted per key: one address trying one username, or one address
    trying any. Past its limit within the window a key is refused until `blocked_until`.

    Keys are keyed hashes (no address or username is stored), and they never name an
    account alone: a stranger's failures cannot lock out the account's owner, whose
    address differs, nor the owner's API tokens."""

    key = models.CharField(_("键"), max_length=64, unique=True)
    failures = models.PositiveIntegerField(_("失败次数"), default=0)
    window_started_at = models.DateTimeField(_("计数开始"))
    blocked_until = models.DateTimeField(_("限制至"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("登录限制")
        verbose_name_plural = _("登录限制")

    def __str__(self) -> str:
        return self.key[:12]


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(_("说明"), max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.user} {self.label}"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()
