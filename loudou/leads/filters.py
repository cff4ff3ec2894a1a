"""One filter definition for the lead list in the UI and the API (NetBox filtersets):
filters, sorting and keyset pagination."""

import base64
import json
from datetime import datetime

from django import forms
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from loudou.core.widgets import IsoDateInput, QuickSelect
from loudou.leads.choices import Grade, LeadStatus
from loudou.leads.models import Lead, SourceChannel
from loudou.leads.selectors import search_leads, table_leads
from loudou.org.models import Industry, Region, Team, User

_ALL = _("全部")
_VALIDITY = [("", _ALL), ("valid", _("有效线索")), ("invalid", _("无效线索"))]
#: sort key → (field, label); each is non-null, so a keyset cursor is (value, id)
SORTS = {
    "-captured_at": ("captured_at", _("录入时间（新→旧）")),
    "captured_at": ("captured_at", _("录入时间（旧→新）")),
    "-updated_at": ("updated_at", _("最近更新")),
    "company_name": ("company_name", _("公司名称")),
    "intent_grade": ("intent_grade", _("意向等级（A→C）")),
    "rating": ("rating", _("客户评级（A→C）")),
    "number": ("number", _("线索编号")),
}


def _choice(label, choices) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, required=False, choices=[("", _ALL), *choices], widget=QuickSelect
    )


def _model(label, queryset) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label, required=False, queryset=queryset, empty_label=_ALL, widget=QuickSelect
    )


def _date(label) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=IsoDateInput())


class LeadFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    stage = _model(_("阶段"), None)
    intent_grade = _choice(_("意向等级"), Grade.choices)
    rating = _choice(_("客户评级"), Grade.choices)
    status = _choice(_("当前状态"), LeadStatus.choices)
    validity = forms.ChoiceField(
        label=_("有效性"), required=False, choices=_VALIDITY, widget=QuickSelect
    )
    source = _model(_("线索来源"), SourceChannel.objects.all())
    owner = _model(_("负责人"), None)
    team = _model(_("团队"), Team.objects.all())
    industry = _model(_("行业"), Industry.objects.all())
    region = _model(_("区域"), Region.objects.all())
    reached = _model(_("到达阶段"), None)
    captured_from = _date(_("录入起"))
    captured_to = _date(_("录入止"))
    overdue = forms.BooleanField(label=_("有逾期行动"), required=False)
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[(k, v[1]) for k, v in SORTS.items()],
        widget=QuickSelect,
    )

    def __init__(self, *args, user: User, **kwargs):
        from loudou.org.selectors import owner_choices
        from loudou.pipeline.models import Stage

        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["owner"].queryset = owner_choices(user)
        self.fields["stage"].queryset = Stage.objects.select_related("pipeline")
        self.fields["reached"].queryset = self.fields["stage"].queryset

    def filter(self, leads: QuerySet[Lead]) -> QuerySet[Lead]:
        """Apply the cleaned filters to an already visibility-restricted queryset."""
        data = self.cleaned_data
        leads = search_leads(leads, data.get("q", ""), self.user)
        for name in [
            "stage",
            "intent_grade",
            "rating",
            "status",
            "source",
            "owner",
            "industry",
            "region",
        ]:
            if data.get(name):
                leads = leads.filter(**{name: data[name]})
        if data.get("team"):
            leads = leads.filter(owner__team=data["team"])
        if data.get("validity"):
            leads = leads.filter(is_valid=data["validity"] == "valid")
        if data.get("captured_from"):
            leads = leads.filter(captured_at__date__gte=data["captured_from"])
        if data.get("captured_to"):
            leads = leads.filter(captured_at__date__lte=data["captured_to"])
        if data.get("reached"):
            leads = leads.filter(pk__in=reached_lead_ids(data["reached"]))
        if data.get("overdue"):
            leads = leads.filter(pk__in=overdue_lead_ids())
        return leads

    def sort_key(self) -> str:
        return (self.cleaned_data.get("sort") if self.is_bound and self.is_valid() else "") or (
            "-captured_at"
        )


def reached_lead_ids(stage):
    """Leads whose ledger shows they reached `stage`: entered it or a later non-lost stage
    of its pipeline (a skipped stage was passed); for a lost stage, entered it."""
    from loudou.pipeline.choices import StageKind
    from loudou.pipeline.models import StageChange

    if stage.kind == StageKind.LOST:
        rows = StageChange.objects.filter(to_stage=stage)
    else:
        rows = StageChange.objects.filter(
            to_stage__pipeline_id=stage.pipeline_id, to_stage__order__gte=stage.order
        ).exclude(to_stage__kind=StageKind.LOST)
    return rows.values("lead_id")


def overdue_lead_ids():
    """Leads with an open next action past its deadline (kept here so UI and API agree)."""
    from django.utils import timezone

    from loudou.activities.models import FollowUp

    return FollowUp.objects.filter(
        next_action_due__lt=timezone.now(), next_action_done_at__isnull=True
    ).values("lead_id")


# keyset pagination ----------------------------------------------------------------------


class BadCursor(ValueError):
    """The cursor does not decode: answer 422, never 500."""


def encode_cursor(lead: Lead, sort: str) -> str:
    value = getattr(lead, SORTS[sort][0])
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, lead.pk], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, sort: str) -> tuple:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if SORTS[sort][0].endswith("_at"):
            value = parse_datetime(value)
        if value is None or not isinstance(pk, int):
            raise BadCursor(cursor)
    except (ValueError, TypeError, KeyError) as error:
        raise BadCursor(cursor) from error
    return value, pk


#: sorts an index (owner, field) serves, for the page read owner by owner
_BY_OWNER = {"captured_at", "updated_at", "company_name"}


#: A search this long reads the text-search index (ADR 0021): its few rows come at once,
#: where a manager's merge of the team members' ranges would recheck them per member.
INDEXED_SEARCH_CHARS = 3


def paging_owners(form: "LeadFilterForm", user: User) -> list[int] | None:
    """The owners whose ranges keyset_page merges for `user`'s list filtered by `form`:
    none when an indexed text search narrows it."""
    from loudou.org.selectors import visible_owner_ids

    searched = form.is_bound and form.is_valid() and form.cleaned_data.get("q", "").strip()
    if searched and len(searched) >= INDEXED_SEARCH_CHARS:
        return None
    return visible_owner_ids(user)


def keyset_page(
    leads: QuerySet[Lead],
    *,
    sort: str,
    cursor: str | None,
    size: int,
    owners: list[int] | None = None,
):
    """One page after `cursor` in `sort` order (ties broken by id): (rows, next cursor).

    `owners`: the owners the visible leads belong to (org.selectors.visible_owner_ids),
    when known; with several (a manager), a sort on captured_at, updated_at or
    company_name reads each owner's first rows from the (owner, field) index and merges
    them (ADR 0019), where one query would sort every lead of the team."""
    field = SORTS[sort][0]
    descending = sort.startswith("-")
    ordered = leads.order_by(f"-{field}", "-id") if descending else leads.order_by(field, "id")
    if cursor:
        value, pk = _decode(cursor, sort)
        op = "lt" if descending else "gt"
        after = Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"id__{op}": pk})
        ordered = ordered.filter(after)
    if owners and len(owners) > 1 and field in _BY_OWNER:
        rows = _merged_by_owner(ordered, owners, field, descending, size + 1)
    else:
        rows = list(ordered[: size + 1])
    next_cursor = encode_cursor(rows[size - 1], sort) if len(rows) > size else None
    return rows[:size], next_cursor


def newest_leads(user: User, size: int) -> list[Lead]:
    """The `size` newest leads `user` sees (the home page's), read as the list's first
    page is: a manager's merged from each member's (owner, captured_at) range."""
    from loudou.org.selectors import visible_owner_ids

    leads = table_leads(user)
    owners = visible_owner_ids(user)
    return keyset_page(leads, sort="-captured_at", cursor=None, size=size, owners=owners)[0]


def _merged_by_owner(
    ordered: QuerySet[Lead], owners: list[int], field: str, descending: bool, n: int
) -> list[Lead]:
    """The first `n` rows of `ordered`, read as each owner's first `n` (one UNION ALL)."""
    from django.db import connections

    from loudou.core.paging import union_all_sql

    params: list = []
    tops = [ordered.filter(owner_id=o).values_list("id", field)[:n] for o in owners]
    union = union_all_sql(tops, params)
    if not union:
        return []
    way = "DESC" if descending else "ASC"
    query = f"SELECT id FROM ({union}) AS u ORDER BY {field} {way}, id {way} LIMIT %s"  # noqa: S608
    with connections[ordered.db].cursor() as cursor:
        cursor.execute(query, [*params, n])
        ids = [row[0] for row in cursor.fetchall()]
    found = ordered.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]
