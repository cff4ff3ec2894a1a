"""Protected reads of exception cases and health reports."""

from django.db.models import Q, QuerySet
from django.http import Http404

from loudou.health.models import ExceptionCase, HealthReport
from loudou.org.choices import Role
from loudou.org.models import Team, User
from loudou.org.selectors import visibility_q


def visible_cases(user: User) -> QuerySet[ExceptionCase]:
    """Director/admin: all; a manager: the cases of the teams they lead and about their
    reps; anyone: cases about themselves or that they own."""
    q = visibility_q(user, owner="rep")
    if user.is_authenticated and user.is_active and not user.sees_all:
        q |= Q(owner=user)
        if user.role == Role.MANAGER:
            q |= Q(team__manager=user)
    return ExceptionCase.objects.filter(q).select_related("rep", "team", "stage", "owner")


def access_case(user: User, pk: int) -> ExceptionCase:
    case = visible_cases(user).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def visible_teams(user: User) -> QuerySet[Team]:
    """Teams whose cases and reports `user` may see as a whole."""
    if user.sees_all:
        return Team.objects.all()
    if user.is_active and user.role == Role.MANAGER:
        return Team.objects.filter(manager=user)
    return Team.objects.none()


def access_team(user: User, pk: int) -> Team:
    team = visible_teams(user).filter(pk=pk).first()
    if team is None:
        raise Http404
    return team


def visible_reports(user: User) -> QuerySet[HealthReport]:
    """Director/admin: all; a manager: their teams'. Reps see none: a team report shows
    their teammates' figures."""
    if not user.is_authenticated or not user.is_active:
        return HealthReport.objects.none()
    reports = HealthReport.objects.select_related("team")
    if user.sees_all:
        return reports
    return reports.filter(team__in=visible_teams(user))


def access_report(user: User, pk: int) -> HealthReport:
    report = visible_reports(user).filter(pk=pk).first()
    if report is None:
        raise Http404
    return report
