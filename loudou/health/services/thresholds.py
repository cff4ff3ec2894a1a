"""Reading and editing the exception thresholds (audited)."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from loudou.core.audit import save_with_audit
from loudou.health.models import THRESHOLD_FIELDS, Thresholds
from loudou.org.choices import Role
from loudou.org.models import Team, User


def company_thresholds() -> Thresholds:
    """The company-wide row (created with the defaults should the migration's be gone)."""
    row = Thresholds.objects.filter(team=None).first()
    return row or Thresholds.objects.create(team=None)


def effective_thresholds(team: Team | None) -> Thresholds:
    """The team's own thresholds when it has them, else the company's."""
    if team is not None:
        own = Thresholds.objects.filter(team=team).first()
        if own is not None:
            return own
    return company_thresholds()


def can_edit_thresholds(user: User, team: Team | None) -> bool:
    """Director and admin edit every row; a manager edits the rows of the teams they lead."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.sees_all:
        return True
    return team is not None and user.role == Role.MANAGER and team.manager_id == user.pk


def can_read_thresholds(user: User, team: Team | None) -> bool:
    """Managers read the company defaults and their teams'; director/admin read all."""
    if user.sees_all:
        return True
    if user.role != Role.MANAGER or not user.is_active:
        return False
    return team is None or team.manager_id == user.pk


@transaction.atomic
def update_thresholds(*, actor: User, team: Team | None, values: dict[str, Any]) -> Thresholds:
    """Change the thresholds of `team` (None: the company's). A team without its own row
    starts from the company's values. Audited; refused (nothing written) when invalid."""
    if not can_edit_thresholds(actor, team):
        raise PermissionDenied(_("您不能修改这些阈值。"))
    unknown = set(values) - set(THRESHOLD_FIELDS)
    if unknown:
        raise ValidationError({name: [_("未知的阈值。")] for name in sorted(unknown)})
    row = Thresholds.objects.filter(team=team).first() if team else company_thresholds()
    if row is None:
        row = Thresholds(team=team, **company_thresholds().values())
    save_with_audit(obj=row, actor=actor, verb="health.thresholds_changed", values=values)
    return row


@dataclass(frozen=True)
class PolicyGroup:
    """Thresholds shared by a set of teams: `team_ids` (None: every team not listed in
    `excluded`, and reps without a team)."""

    thresholds: Thresholds
    team_ids: frozenset[int] | None
    excluded: frozenset[int]

    def q(self, path: str) -> Q:
        """A filter on the team found at `path` (e.g. "owner__team")."""
        if self.team_ids is not None:
            return Q(**{f"{path}__in": sorted(self.team_ids)})
        if not self.excluded:
            return Q()
        return Q(**{f"{path}__isnull": True}) | ~Q(**{f"{path}__in": sorted(self.excluded)})


def policy_groups() -> list[PolicyGroup]:
    """The company's thresholds for every team without its own, then one group per team
    with its own: each rule runs once per group."""
    own = list(Thresholds.objects.exclude(team=None))
    overridden = frozenset(row.team_id for row in own)
    groups = [PolicyGroup(company_thresholds(), None, overridden)]
    return groups + [PolicyGroup(row, frozenset({row.team_id}), frozenset()) for row in own]
