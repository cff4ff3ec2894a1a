"""What the team-work models share: field builders, the date bounds, owner-or-department."""

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from loudou.analytics.services.scope import FIRST_DAY, LAST_DAY

USER = settings.AUTH_USER_MODEL
ONE_DECIMAL = Decimal("0.1")
#: Bands of the task quality grade (% of target) when the organisation has not changed them.
DEFAULT_BANDS = {"excellent_above": 120, "good_from": 100, "pass_from": 80}


def percent_field(label, default):
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )


def score_field(label):
    return models.DecimalField(
        label,
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )


def rating_field(label):
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )


def pct_field(label):
    return models.DecimalField(label, max_digits=4, decimal_places=1, null=True, blank=True)


def within_years(value: date | datetime) -> None:
    """Dates of team work lie within 2000-01-01..2099-12-31, like analysis periods: their
    arithmetic (windows before and after) never leaves the calendar."""
    day = value.date() if isinstance(value, datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        bounds = {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
        raise ValidationError(_("日期须在 {first} 至 {last} 之间。").format(**bounds))


def owner_or_department(obj) -> None:
    if obj.owner_id is None and not obj.department.strip():
        raise ValidationError({"owner": _("请选择负责人，或填写负责部门。")})
