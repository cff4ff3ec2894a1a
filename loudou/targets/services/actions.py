"""Every write of improvement actions (差异原因与改进措施): create, update, mark done or
open again, delete; each one audited (`action.*`)."""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.core import audit
from loudou.org.models import User
from loudou.targets.models import ImprovementAction
from loudou.targets.selectors import (
    action_owners,
    can_complete_action,
    ensure_manages_action,
    manages_action_team,
    visible_targets,
)
from loudou.targets.services.status import set_done

ACTION_FIELDS = [
    "target",
    "team",
    "scope",
    "period",
    "period_start",
    "variance_reason",
    "action",
    "owner",
    "deadline",
]


def _refuse_unknown(values: dict[str, Any]) -> None:
    unknown = sorted(set(values) - set(ACTION_FIELDS))
    if unknown:
        raise ValidationError({name: _("不能修改该字段。") for name in unknown})


def _check_values(actor: User, values: dict[str, Any]) -> dict[str, Any]:
    """Refuse a team the actor may not write for (403), an owner they may not give it to or
    a target they do not see (422); a target gives the action its period."""
    if "team" in values and not manages_action_team(actor, values["team"]):
        raise PermissionDenied(_("您不能为该团队制定改进措施。"))
    owner = values.get("owner")
    if owner is not None and not action_owners(actor).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("负责人须是您团队的在职成员。")})
    target = values.get("target")
    if target is None:
        return values
    if not visible_targets(actor).filter(pk=target.pk).exists():
        raise ValidationError({"target": _("不存在的目标。")})
    return {"period": target.period, "period_start": target.start, **values}


@transaction.atomic
def create_action(*, actor: User, values: dict[str, Any]) -> ImprovementAction:
    """An action of a team the actor manages (None: the company's, director/admin only)."""
    _refuse_unknown(values)
    values = _check_values(actor, {"team": None, **values})
    action = ImprovementAction(created_by=actor)
    audit.save_with_audit(obj=action, actor=actor, verb="action.created", values=values)
    return action


@transaction.atomic
def update_action(*, action: ImprovementAction, actor: User, values: dict[str, Any]) -> list:
    """Change any field but the status; a new deadline is reminded of again."""
    ensure_manages_action(actor, action)
    _refuse_unknown(values)
    values = _check_values(actor, values)
    return audit.save_with_audit(obj=action, actor=actor, verb="action.updated", values=values)


@transaction.atomic
def delete_action(*, action: ImprovementAction, actor: User) -> None:
    ensure_manages_action(actor, action)
    changes = [{"field": "action", "before": action.action, "after": None}]
    audit.record(obj=action, actor=actor, verb="action.deleted", changes=changes)
    action.delete()


@transaction.atomic
def complete_action(
    *, action: ImprovementAction, actor: User, now: datetime | None = None
) -> ImprovementAction:
    """Mark done (done_at = now) by its managers or its owner. Already done: nothing
    changes (idempotent)."""
    if not can_complete_action(actor, action):
        raise PermissionDenied(_("只有该措施所属团队的经理或负责人可以标记完成。"))
    set_done(action, actor, done=True, now=now or timezone.now(), kind="action")
    return action


@transaction.atomic
def reopen_action(*, action: ImprovementAction, actor: User) -> ImprovementAction:
    """Open again (done_at cleared), by its managers only. Already open: nothing changes."""
    ensure_manages_action(actor, action)
    set_done(action, actor, done=False, now=timezone.now(), kind="action")
    return action
