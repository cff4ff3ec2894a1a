"""The exception sweep and the handling of cases (意外状态).

`sweep()` runs the nine rules and reconciles their findings with the stored cases:
a condition that holds and has an unresolved case updates it (figures, leads, owner,
last_seen_at), one without opens a new case, and an unresolved case whose condition no
longer holds is resolved automatically. Owners of new cases get one notification each
per sweep.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from loudou.core.audit import record
from loudou.health.choices import CaseStatus
from loudou.health.models import ExceptionCase
from loudou.health.services import findings as shared
from loudou.health.services import rules
from loudou.health.services.thresholds import policy_groups
from loudou.notifications.services import notify
from loudou.org.models import Team, User

CASE_FIELDS = ["team_id", "owner_id", "lead_ids", "lead_count", "metrics", "last_seen_at"]


@dataclass
class SweepResult:
    """What a sweep found and changed."""

    now: datetime
    found: int = 0
    opened: int = 0
    updated: int = 0
    resolved: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    notified: int = 0


def find(*, now: datetime, team: Team | None = None) -> list[shared.Finding]:
    """Every condition that holds at `now` (for one team, or all)."""
    stages = shared.load_stages()
    user_teams = dict(User.objects.values_list("pk", "team_id"))
    findings = []
    for group in policy_groups():
        ctx = shared.Context(now=now, group=group, team=team, stages=stages, user_teams=user_teams)
        for rule in rules.RULES.values():
            findings += rule(ctx)
    return findings


def _owners(findings: list[shared.Finding]) -> dict[int | None, int | None]:
    """{team_id: manager_id} for the teams of the findings."""
    team_ids = {f.team_id for f in findings if f.team_id}
    return dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "manager_id"))


#: Rules about the rep's own leads go to the rep; rules about their results to the manager.
REP_OWNED = {"no_follow_up", "no_progress", "stalled"}


def _owner_of(finding: shared.Finding, managers: dict) -> int:
    if finding.rule in REP_OWNED:
        return finding.rep_id
    return managers.get(finding.team_id) or finding.rep_id


def _apply(case: ExceptionCase, finding: shared.Finding, owner_id: int, now: datetime) -> None:
    case.team_id, case.owner_id = finding.team_id, owner_id
    case.lead_ids, case.lead_count = finding.lead_ids, finding.lead_count
    case.metrics, case.last_seen_at = finding.metrics, now


def _differs(case: ExceptionCase, finding: shared.Finding, owner_id: int) -> bool:
    return (case.team_id, case.owner_id, case.lead_ids, case.lead_count, case.metrics) != (
        finding.team_id,
        owner_id,
        finding.lead_ids,
        finding.lead_count,
        finding.metrics,
    )


@transaction.atomic
def sweep(now: datetime | None = None, team: Team | None = None) -> SweepResult:
    """Run the rules and reconcile the cases (for `team` only, or everywhere)."""
    now = now or timezone.now()
    findings = {f.key: f for f in find(now=now, team=team)}
    managers = _owners(list(findings.values()))
    unresolved = ExceptionCase.objects.exclude(status=CaseStatus.RESOLVED)
    if team is not None:
        unresolved = unresolved.filter(Q(team=team) | Q(key__in=list(findings)))
    existing = {case.key: case for case in unresolved}
    result = SweepResult(now=now, found=len(findings))
    for finding in findings.values():
        result.by_rule[finding.rule] = result.by_rule.get(finding.rule, 0) + 1
    created, changed = [], []
    for key, finding in findings.items():
        case = existing.get(key)
        if case is None:
            case = ExceptionCase(
                rule=finding.rule,
                key=key,
                rep_id=finding.rep_id,
                stage_id=finding.stage_id,
                opened_at=now,
            )
            _apply(case, finding, _owner_of(finding, managers), now)
            created.append(case)
        elif _differs(case, finding, _owner_of(finding, managers)):
            _apply(case, finding, _owner_of(finding, managers), now)
            changed.append(case)
    ExceptionCase.objects.bulk_update(changed, CASE_FIELDS, batch_size=500)
    seen = [existing[key].pk for key in findings if key in existing]
    ExceptionCase.objects.filter(pk__in=seen).update(last_seen_at=now)
    created = ExceptionCase.objects.bulk_create(created, batch_size=500)
    gone = [case.pk for key, case in existing.items() if key not in findings]
    result.resolved = (
        ExceptionCase.objects.filter(pk__in=gone)
        .exclude(status=CaseStatus.RESOLVED)
        .update(status=CaseStatus.RESOLVED, resolved_at=now, auto_resolved=True)
    )
    result.opened, result.updated = len(created), len(seen)
    result.notified = _notify_new(created, now, team)
    return result


def _notify_new(created: list[ExceptionCase], now: datetime, team: Team | None) -> int:
    """One notification per owner listing how many new cases they have."""
    per_owner: dict[int, int] = defaultdict(int)
    for case in created:
        if case.owner_id:
            per_owner[case.owner_id] += 1
    sent = 0
    for owner in User.objects.filter(pk__in=list(per_owner), is_active=True):
        with translation.override(owner.language):
            title = _("新的意外状态：{n} 项").format(n=per_owner[owner.pk])
            body = _("销售流程出现新的意外状态，请查看并处理。")
        url = reverse("health:exceptions") + "?status=open"
        key = f"health:sweep:{owner.pk}:{team.pk if team else 'all'}:{now.isoformat()}"
        sent += (
            notify(
                user=owner, kind="health_exception", title=title, body=body, url=url, dedupe_key=key
            )
            is not None
        )
    return sent


def can_handle(user: User, case: ExceptionCase) -> bool:
    """Who may acknowledge or resolve: the case's owner, the team's manager, director/admin."""
    if not user.is_active:
        return False
    if user.sees_all or case.owner_id == user.pk:
        return True
    return case.team_id is not None and case.team.manager_id == user.pk


def _handle(case: ExceptionCase, actor: User, allowed: list[str], values: dict, verb: str):
    if not can_handle(actor, case):
        raise PermissionDenied(_("您不能处理这个意外状态。"))
    note = values.get(verb.split(".")[-1] + "_note", "")
    if len(note) > 2000:
        raise ValidationError({"note": _("说明不能超过2000字。")})
    changed = ExceptionCase.objects.filter(pk=case.pk, status__in=allowed).update(**values)
    if changed != 1:
        raise ValidationError({"status": _("该意外状态已解决，不能再处理。")}, code="closed")
    before = case.status
    case.refresh_from_db()
    record(
        obj=case,
        actor=actor,
        verb=verb,
        reason=note,
        changes=[{"field": "status", "before": before, "after": case.status}],
    )
    return case


@transaction.atomic
def acknowledge(*, case: ExceptionCase, actor: User, note: str = "", now=None) -> ExceptionCase:
    """Mark an open case acknowledged (seen, being handled), recording who, when and why."""
    values = {
        "status": CaseStatus.ACKNOWLEDGED,
        "acknowledged_by": actor,
        "acknowledged_at": now or timezone.now(),
        "acknowledge_note": (note or "").strip(),
    }
    return _handle(case, actor, [CaseStatus.OPEN], values, "health.acknowledge")


@transaction.atomic
def resolve(*, case: ExceptionCase, actor: User, note: str = "", now=None) -> ExceptionCase:
    """Resolve an open or acknowledged case by hand, recording who, when and the note. If
    its condition still holds, the next sweep opens a new case."""
    values = {
        "status": CaseStatus.RESOLVED,
        "resolved_by": actor,
        "resolved_at": now or timezone.now(),
        "resolve_note": (note or "").strip(),
        "auto_resolved": False,
    }
    allowed = [CaseStatus.OPEN, CaseStatus.ACKNOWLEDGED]
    return _handle(case, actor, allowed, values, "health.resolve")


def can_sweep(user: User, team: Team | None) -> bool:
    """Director/admin sweep everything; a manager sweeps the teams they lead."""
    if not user.is_active:
        return False
    if user.sees_all:
        return True
    return team is not None and team.manager_id == user.pk


def run_sweep(*, actor: User, team: Team | None, now: datetime | None = None) -> SweepResult:
    """The on-demand sweep (button and API)."""
    if not can_sweep(actor, team):
        raise PermissionDenied(_("您不能运行意外状态检查。"))
    return sweep(now=now, team=team)
