"""Assignment-rule and pool parameters as people read and type them.

The stored parameters are JSON (`AssignmentRule.settings`, `Pool.protection_days_by_grade`;
the API takes them as such). Pages show them as words and edit them as form fields:
roles per grade, "least loaded first", and round-robin weights typed as "用户名 权重"
lines."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from loudou.assignment.choices import RuleKind
from loudou.assignment.models import GRADES, AssignmentRule, Pool
from loudou.org.choices import Role
from loudou.org.models import User


def rule_settings(
    kind: str | None, *, roles: dict[str, list[str]], least_loaded: bool, weights: dict
) -> dict[str, Any]:
    """The `settings` of a rule of `kind` from the form's parameter fields."""
    if kind == RuleKind.GRADE_SENIORITY:
        return {grade: list(chosen) for grade, chosen in roles.items() if chosen}
    if kind == RuleKind.CAPACITY:
        return {"least_loaded": True} if least_loaded else {}
    if kind == RuleKind.ROUND_ROBIN:
        return {"weights": weights} if weights else {}
    return {}


def rule_form_initial(rule: AssignmentRule) -> dict[str, Any]:
    """The form's parameter fields filled from a stored rule."""
    settings = rule.settings or {}
    initial: dict[str, Any] = {}
    if rule.kind == RuleKind.GRADE_SENIORITY:
        initial |= {f"roles_{grade}": settings.get(grade, []) for grade in GRADES}
    elif rule.kind == RuleKind.CAPACITY:
        initial["least_loaded"] = bool(settings.get("least_loaded"))
    elif rule.kind == RuleKind.ROUND_ROBIN:
        weights = settings.get("weights", {})
        names = dict(
            User.objects.filter(pk__in=[int(k) for k in weights]).values_list("pk", "username")
        )
        initial["weights"] = "\n".join(
            f"{names.get(int(key), key)} {_number(weight)}" for key, weight in weights.items()
        )
    return initial


def parse_weights(text: str) -> dict[str, float]:
    """ "zhangsan 2" lines → {"<user id>": 2}; ValidationError naming the first bad line."""
    pairs = [line.split() for line in text.splitlines() if line.strip()]
    users = dict(
        User.objects.filter(username__in=[p[0] for p in pairs]).values_list("username", "pk")
    )
    weights: dict[str, float] = {}
    for number, parts in enumerate(pairs, start=1):
        weight = _weight(parts[1]) if len(parts) == 2 else None
        if weight is None or parts[0] not in users:
            raise ValidationError(
                _("第 {n} 行应为“用户名 权重”（权重 0-100），且用户名存在：{line}").format(
                    n=number, line=" ".join(parts)[:60]
                )
            )
        weights[str(users[parts[0]])] = weight
    return weights


def _weight(text: str) -> float | int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    if not 0 < value <= 100:
        return None
    return int(value) if value.is_integer() else value


def _number(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def rule_params_text(rule: AssignmentRule) -> str:
    """A rule's parameters in words, for the rule list."""
    settings = rule.settings or {}
    if rule.kind == RuleKind.GRADE_SENIORITY and settings:
        roles = dict(Role.choices)
        return "；".join(
            _("{grade} 级：{roles}").format(
                grade=grade, roles="、".join(str(roles.get(r, r)) for r in settings[grade])
            )
            for grade in GRADES
            if grade in settings
        )
    if rule.kind == RuleKind.CAPACITY:
        return _("优先分给负载最低者") if settings.get("least_loaded") else _("容量未满者")
    if rule.kind == RuleKind.ROUND_ROBIN and settings.get("weights"):
        weights = settings["weights"]
        users = {u.pk: str(u) for u in User.objects.filter(pk__in=[int(k) for k in weights])}
        shown = "、".join(f"{users.get(int(k), k)} ×{_number(w)}" for k, w in weights.items())
        return _("{weights}；其他人 ×1").format(weights=shown)
    return "—"


def grade_days_text(pool: Pool) -> str:
    """A pool's protection period per grade in words ("A 级 45 天；C 级 15 天")."""
    by_grade = pool.protection_days_by_grade or {}
    return "；".join(
        _("{grade} 级 {days} 天").format(grade=grade, days=by_grade[grade])
        for grade in GRADES
        if grade in by_grade
    )
