"""Who sees and who manages targets and strategy plans (docs/domain/targets.md).

Targets:
- director and admin see and manage all;
- a manager manages the targets of the teams they lead and of those teams' members
  (their own personal target excepted: it is set above them), and sees, read-only, the
  company-wide ones (company, region, product line, customer type) and their own;
- anyone else sees their own personal targets and their team's target, read-only.
Plans: director and admin see and manage all; a manager manages the plans of the teams
they lead and sees the company's plans; anyone sees their team's plans and the plans in
which they own a milestone. A milestone's owner may mark it done or open again.
Improvement actions: director and admin see and manage all; a manager manages the
actions of the teams they lead and sees those and the actions owned by them or by their
teams' members; anyone else sees the actions they own, read-only, and marks them done.
Hidden is 404 (`access_*`); visible but not manageable is 403 (`ensure_*`).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from loudou.org.choices import Role
from loudou.org.models import Team, User
from loudou.targets.choices import COMPANY_WIDE, ActionStatus, ScopeKind
from loudou.targets.models import ImprovementAction, Milestone, StrategyPlan, Target


def _active(user: User) -> bool:
    return user.is_authenticated and user.is_active


def _is_manager(user: User) -> bool:
    return _active(user) and user.role == Role.MANAGER


def visible_targets(user: User) -> QuerySet[Target]:
    targets = Target.objects.select_related("region", "product_line", "team", "person")
    if not _active(user):
        return targets.none()
    if user.sees_all:
        return targets
    q = Q(scope_kind=ScopeKind.PERSON, person=user)
    if user.role == Role.MANAGER:
        q |= Q(scope_kind__in=COMPANY_WIDE) | Q(team__manager=user) | Q(person__team__manager=user)
    elif user.team_id is not None:
        q |= Q(scope_kind=ScopeKind.TEAM, team_id=user.team_id)
    return targets.filter(q)


def access_target(user: User, pk: int) -> Target:
    target = visible_targets(user).filter(pk=pk).first()
    if target is None:
        raise Http404
    return target


def manages_scope(user: User, *, kind: str, team: Team | None, person: User | None) -> bool:
    """Whether `user` may set targets of this scope."""
    if not _active(user):
        return False
    if user.sees_all:
        return True
    if not _is_manager(user):
        return False
    if kind == ScopeKind.TEAM:
        return team is not None and team.manager_id == user.pk
    if kind == ScopeKind.PERSON and person is not None and person.pk != user.pk:
        return person.team_id is not None and person.team.manager_id == user.pk
    return False


def can_manage_target(user: User, target: Target) -> bool:
    return manages_scope(user, kind=target.scope_kind, team=target.team, person=target.person)


def ensure_manages_target(user: User, target: Target) -> None:
    if not can_manage_target(user, target):
        raise PermissionDenied(_("您只能查看该目标，不能修改。"))


def target_teams(user: User) -> QuerySet[Team]:
    """Teams `user` may set targets for."""
    if user.sees_all:
        return Team.objects.all()
    if _is_manager(user):
        return Team.objects.filter(manager=user)
    return Team.objects.none()


def target_people(user: User) -> QuerySet[User]:
    """People `user` may set personal targets for."""
    people = User.objects.filter(is_active=True).select_related("team")
    if user.sees_all:
        return people
    if _is_manager(user):
        return people.filter(team__manager=user).exclude(pk=user.pk)
    return people.none()


def visible_plans(user: User) -> QuerySet[StrategyPlan]:
    plans = StrategyPlan.objects.select_related("team", "target")
    if not _active(user):
        return plans.none()
    if user.sees_all:
        return plans
    q = Q(Exists(Milestone.objects.filter(plan=OuterRef("pk"), owner=user)))
    if user.role == Role.MANAGER:
        q |= Q(team__isnull=True) | Q(team__manager=user)
    if user.team_id is not None:
        q |= Q(team_id=user.team_id)
    return plans.filter(q)


def access_plan(user: User, pk: int) -> StrategyPlan:
    plan = visible_plans(user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


def manages_plan_team(user: User, team: Team | None) -> bool:
    """Whether `user` may write the plans of `team` (None: the company's)."""
    if not _active(user):
        return False
    if user.sees_all:
        return True
    return _is_manager(user) and team is not None and team.manager_id == user.pk


def can_manage_plan(user: User, plan: StrategyPlan) -> bool:
    return manages_plan_team(user, plan.team)


def ensure_manages_plan(user: User, plan: StrategyPlan) -> None:
    if not can_manage_plan(user, plan):
        raise PermissionDenied(_("您只能查看该策略，不能修改。"))


def access_milestone(user: User, pk: int) -> Milestone:
    """A milestone of a plan `user` sees (else 404)."""
    milestone = (
        Milestone.objects.select_related("plan", "plan__team", "owner")
        .filter(pk=pk, plan__in=visible_plans(user).values("pk"))
        .first()
    )
    if milestone is None:
        raise Http404
    return milestone


def can_complete_milestone(user: User, milestone: Milestone) -> bool:
    """The plan's managers and the milestone's owner mark it done or open again."""
    return can_manage_plan(user, milestone.plan) or (
        _active(user) and milestone.owner_id == user.pk
    )


def milestone_owners(user: User) -> QuerySet[User]:
    """Who may own a milestone: any active user (marketing and support included)."""
    return User.objects.filter(is_active=True)


def visible_actions(user: User) -> QuerySet[ImprovementAction]:
    actions = ImprovementAction.objects.select_related("team", "owner", "target")
    if not _active(user):
        return actions.none()
    if user.sees_all:
        return actions
    q = Q(owner=user)
    if user.role == Role.MANAGER:
        q |= Q(team__manager=user) | Q(owner__team__manager=user)
    return actions.filter(q)


def actions_for(
    user: User, *, team: Team | None, owner: User | None, start, end
) -> QuerySet[ImprovementAction]:
    """The visible actions of a performance analysis: of `team` / `owner` when given; open
    ones, and those of a period starting within start..end; open first, by deadline."""
    actions = visible_actions(user)
    if team is not None:
        actions = actions.filter(team=team)
    if owner is not None:
        actions = actions.filter(owner=owner)
    in_range = Q(period_start__gte=start, period_start__lte=end)
    return actions.filter(Q(status=ActionStatus.OPEN) | in_range).order_by(
        "-status", "deadline", "pk"
    )


def access_action(user: User, pk: int) -> ImprovementAction:
    action = visible_actions(user).filter(pk=pk).first()
    if action is None:
        raise Http404
    return action


def manages_action_team(user: User, team: Team | None) -> bool:
    """Whether `user` may write the actions of `team` (None: the company's)."""
    if not _active(user):
        return False
    if user.sees_all:
        return True
    return _is_manager(user) and team is not None and team.manager_id == user.pk


def can_manage_action(user: User, action: ImprovementAction) -> bool:
    return manages_action_team(user, action.team)


def ensure_manages_action(user: User, action: ImprovementAction) -> None:
    if not can_manage_action(user, action):
        raise PermissionDenied(_("您只能查看该改进措施，不能修改。"))


def can_complete_action(user: User, action: ImprovementAction) -> bool:
    """The action's managers and its owner mark it done."""
    return can_manage_action(user, action) or (_active(user) and action.owner_id == user.pk)


def with_action_permissions(user: User, actions) -> list[ImprovementAction]:
    """`actions` with `can_manage` and `may_complete` set for `user` (lists, rows, API)."""
    actions = list(actions)
    for action in actions:
        action.can_manage = can_manage_action(user, action)
        action.may_complete = can_complete_action(user, action)
    return actions


def action_teams(user: User) -> QuerySet[Team]:
    """Teams `user` may write actions for (director and admin may also leave it empty)."""
    return target_teams(user)


def action_owners(user: User) -> QuerySet[User]:
    """Who `user` may make the owner of an action: any active user for director and
    admin; a manager: themselves and their teams' members."""
    people = User.objects.filter(is_active=True)
    if not _active(user):
        return people.none()
    if user.sees_all:
        return people
    if _is_manager(user):
        return people.filter(Q(team__manager=user) | Q(pk=user.pk))
    return people.none()
