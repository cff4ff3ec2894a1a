"""Who may act on whose leads: the owner, the owner's team manager, a director or admin."""

from loudou.org.choices import Role
from loudou.org.models import User


def manages(actor: User, user: User | None) -> bool:
    """Whether `actor` is a director/admin or the manager of `user`'s team."""
    if actor.sees_all:
        return True
    return (
        user is not None
        and actor.role == Role.MANAGER
        and user.team_id is not None
        and user.team.manager_id == actor.pk
    )


def may_release(actor: User, owner: User | None) -> bool:
    return owner is not None and (owner.pk == actor.pk or manages(actor, owner))


def may_claim(user: User) -> bool:
    return user.is_active and user.role in {
        Role.MANAGER,
        Role.SENIOR_REP,
        Role.JUNIOR_REP,
        Role.ASSISTANT,
    }


def may_configure(actor: User) -> bool:
    """Assignment rules, pools and intake modes: directors and administrators."""
    return actor.is_authenticated and actor.is_active and actor.sees_all
