"""How a recorded change of a lead reads to a person: field and choice labels, masked
contact details, dates, and lists as words, never a Python repr or JSON (`needs: []`)."""

import re
from functools import cache
from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from loudou.leads.models import Lead

EMPTY = "—"
#: Changes recorded under names that are not columns of Lead (services/merge, grading, …).
_PSEUDO_LABELS = {
    "needs": _("核心需求"),
    "duplicates": _("疑似重复线索"),
    "merged_fields": _("补全的字段"),
    "merged_from": _("并入的线索"),
    "follow_ups": _("转移的跟进记录"),
}
#: A name that one verb records differently: the merge counts the needs it moved.
_VERB_LABELS = {("lead.merged", "needs"): _("转移的核心需求")}
_MASKED_FIELDS = {"phone": "phone", "email": "email", "wechat": "text"}
#: One match of `lead.duplicates_kept`: "LX2026000212 (company/phone 100)".
_DUPLICATE = re.compile(r"(?P<number>\S+) \((?P<reasons>[a-z]+(?:/[a-z]+)*) (?P<score>\d+)\)")
_REASON_FIELDS = {"phone": "phone", "email": "email", "company": "company_name"}


@cache
def _fields() -> dict[str, models.Field]:
    return {f.name: f for f in [*Lead._meta.fields, *Lead._meta.many_to_many]}


def change_label(verb: str, name: str) -> str:
    """The label of the changed field `name` in an event `verb`."""
    if (verb, name) in _VERB_LABELS:
        return _VERB_LABELS[verb, name]
    field = _fields().get(name)
    if field is not None:
        return field.verbose_name
    return _PSEUDO_LABELS.get(name, name)


def _joined(items) -> str:
    return str(_("、")).join(str(item) for item in items)


def _needs_text(items: list) -> str:
    """["报表: 4", …] (as services.grading records them) → "报表 (4分)、…"."""
    parts = []
    for item in items:
        need, sep, score = str(item).rpartition(": ")
        if sep and score.isdigit():
            parts.append(_("{need} ({score}分)").format(need=need, score=score))
        else:
            parts.append(str(item))
    return _joined(parts)


def _field_names(text: str) -> str:
    fields = _fields()
    names = [n.strip() for n in text.split(",") if n.strip()]
    return _joined(fields[n].verbose_name if n in fields else n for n in names) or EMPTY


def _duplicates_text(text: str) -> str:
    """The matches as recorded, "LX1 (company/phone 100), …", with the reasons in words."""
    fields = _fields()

    def reasons(codes: str) -> str:
        return "/".join(
            str(fields[_REASON_FIELDS[c]].verbose_name) if c in _REASON_FIELDS else c
            for c in codes.split("/")
        )

    matches = list(_DUPLICATE.finditer(text))
    if not matches:
        return text
    return _joined(f"{m['number']} ({reasons(m['reasons'])} {m['score']})" for m in matches)


def _datetime_text(value: str) -> str:
    moment = parse_datetime(value)
    if moment is None:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "Y-m-d H:i")


def _scalar_text(field: models.Field | None, value: Any, visible: bool) -> Any:
    from loudou.compliance.masking import mask
    from loudou.compliance.phones import display_phone

    if field is None:
        return value
    if field.choices and not field.is_relation:
        value = dict(field.flatchoices).get(value, value)
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        value = _datetime_text(value)
    if field.name == "phone":
        value = display_phone(value)
    if field.name in _MASKED_FIELDS:
        value = mask(str(value), kind=_MASKED_FIELDS[field.name], visible=visible)
    return value


def change_value(name: str, value: Any, *, visible: bool) -> Any:
    """`value` of the changed field `name` as words, masked unless `visible`."""
    if value in (None, ""):
        return EMPTY
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, (list, tuple)):
        if not value:
            return _("未填写")
        return _needs_text(value) if name == "needs" else _joined(value)
    if isinstance(value, dict):
        return _joined(
            f"{change_label('', k)}: {change_value(k, v, visible=visible)}"
            for k, v in value.items()
        ) or _("未填写")
    if name == "merged_fields":
        return _field_names(str(value))
    if name == "duplicates":
        return _duplicates_text(str(value))
    return _scalar_text(_fields().get(name), value, visible)
