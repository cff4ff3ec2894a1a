"""Row-level visibility (SPEC §1), written once and used by every app's selectors.

- director and admin: everything;
- manager: records owned by members of the teams they manage, and their own;
- rep, assistant, support: records they own;
- marketing: records it captured that nobody owns yet (not handed over).
"""

from django.db.models import Q, QuerySet

from loudou.org.choices import Role
from loudou.org.models import User


def visibility_q(user: User, *, owner: str = "owner", captured_by: str | None = None) -> Q:
    """The filter for records `user` may see, given the paths to their owner and capturer."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.sees_all:
        return Q()
    if user.role == Role.MANAGER:
        # own or the managed teams' records, as one IN-set of owners: an index range per
        # owner, where an OR across the join to the owner's team scans every record
        mine = User.objects.filter(Q(pk=user.pk) | Q(team__manager=user)).values("pk")
        q = Q(**{f"{owner}__in": mine})
    else:
        q = Q(**{owner: user})
    if captured_by is not None and user.role == Role.MARKETING:
        q |= Q(**{captured_by: user, f"{owner}__isnull": True})
    return q


def visible_owner_ids(user: User) -> list[int] | None:
    """The owners whose records `user` sees, when visibility_q is a matter of owner alone:
    a rep themselves, a manager their teams and themselves, nobody for an inactive user;
    None when it is not (director and admin see all, marketing also unowned captures).
    For index-friendly reads that go owner by owner (pipeline.board)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.sees_all or user.role == Role.MARKETING:
        return None
    if user.role == Role.MANAGER:
        mine = User.objects.filter(Q(pk=user.pk) | Q(team__manager=user))
        return sorted(mine.values_list("pk", flat=True))
    return [user.pk]


def owns(user: User, *, owner_id: int | None, captured_by_id: int | None = None) -> bool:
    """Whether `user` owns a record: unmasked contact details are for owners only."""
    if owner_id is not None:
        return owner_id == user.pk
    return captured_by_id is not None and captured_by_id == user.pk


def assignable_users(user: User) -> QuerySet[User]:
    """People `user` may make owner of a record."""
    sellers = User.objects.filter(is_active=True).exclude(role=Role.MARKETING)
    if user.sees_all:
        return sellers
    if user.role == Role.MANAGER:
        return sellers.filter(Q(team__manager=user) | Q(pk=user.pk))
    return sellers.filter(pk=user.pk)


def ensure_assignable(actor: User, owner: User | None) -> None:
    """Refuse making `owner` the owner of a record unless `actor` may assign to them."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    if owner is not None and not assignable_users(actor).filter(pk=owner.pk).exists():
        raise PermissionDenied(_("您不能把记录分配给该用户。"))


def visible_users(user: User) -> QuerySet[User]:
    """People `user` may see in the directory: all for director/admin, the team for a
    manager, themselves otherwise."""
    users = User.objects.select_related("team")
    if user.sees_all:
        return users
    if user.role == Role.MANAGER:
        return users.filter(Q(team__manager=user) | Q(pk=user.pk))
    return users.filter(pk=user.pk)


def owner_choices(user: User) -> QuerySet[User]:
    """The people of visible_users(user) as a list filter offers them: their names only
    (the director's select holds every user; a whole User and its team each cost more
    than the option)."""
    return visible_users(user).select_related(None).only("username", "display_name")
