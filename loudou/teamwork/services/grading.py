"""The organisation's task quality-grade bands (one row), edited by director and admin."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from loudou.core.audit import save_with_audit
from loudou.org.models import User
from loudou.teamwork.models import DEFAULT_BANDS, GradeBands

BAND_FIELDS = tuple(DEFAULT_BANDS)


def may_edit_bands(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.sees_all


@transaction.atomic
def update_grade_bands(*, actor: User, values: dict[str, Any]) -> GradeBands:
    """Change the bands (event `teamwork.grade_bands_changed`); grades already given at
    verification stay as they were."""
    if not may_edit_bands(actor):
        raise PermissionDenied(_("只有销售总监和系统管理员可以修改评级标准。"))
    unknown = sorted(set(values) - set(BAND_FIELDS))
    if unknown:
        raise ValidationError({name: [_("不能修改该字段。")] for name in unknown})
    bands = GradeBands.current()
    save_with_audit(obj=bands, actor=actor, verb="teamwork.grade_bands_changed", values=values)
    return bands
