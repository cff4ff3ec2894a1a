"""Saved lead-list views: a user's named filters."""

from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from loudou.leads.models import SavedView
from loudou.org.models import User

_DROPPED = {"cursor", "page", "csrfmiddlewaretoken", "name"}


def clean_query(query: str) -> str:
    """The filter part of a query string, without paging or form noise."""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=False) if k not in _DROPPED]
    return urlencode(pairs)[:1000]


@transaction.atomic
def save_view(*, user: User, name: str, query: str) -> SavedView:
    """Save (or overwrite by name) the user's view."""
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise ValidationError({"name": _("请填写1-60个字的视图名称。")})
    view, _created = SavedView.objects.update_or_create(
        user=user, name=name, defaults={"query": clean_query(query)}
    )
    return view


def delete_view(*, user: User, view_id: int) -> bool:
    """Delete one of the user's views; another user's id deletes nothing."""
    deleted, _rows = SavedView.objects.filter(user=user, pk=view_id).delete()
    return deleted > 0
