"""Turning one mapped row of cells into register_lead's values plus the import extras."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from loudou.imports.mapping import MULTI
from loudou.leads import choices
from loudou.leads.models import SourceChannel
from loudou.org.models import Industry, ProductLine, Region, User

CHOICE_FIELDS = {
    "need_level": choices.NeedLevel,
    "budget_fit": choices.BudgetFit,
    "decision_cycle": choices.DecisionCycle,
    "customer_type": choices.CustomerType,
    "purchasing_power": choices.PurchasingPower,
}
DECIMAL_FIELDS = {"annual_revenue", "budget_min", "budget_max", "amount"}
DATETIME_FIELDS = {"captured_at", "stage_entered_at", "closed_at"}
NAMED = {"industry": Industry, "region": Region}
FORMULA_STARTS = set("=+-@\t\r")
#: Lookups (source, industry, owner, stage… by text) kept at most, per job.
CACHE_LIMIT = 10_000
_DATE_FORMATS = ["%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%d/%m/%Y", "%Y/%m/%d %H:%M:%S"]


@dataclass
class Converted:
    """register_lead's `values` plus what the import does around it."""

    values: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    fingerprint: str = ""


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS:  # neutralised by an export
        text = text[1:]
    return text


def fingerprint(mapped: dict[str, str]) -> str:
    """sha256 of the mapped, normalised values (field order does not matter)."""
    raw = json.dumps(sorted(mapped.items()), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def gather(row: dict[str, Any], mapping: dict[str, str]) -> dict[str, str]:
    """{field: text}: multi-column fields joined as lines "列名: 值"."""
    out: dict[str, str] = {}
    for header, target in mapping.items():
        text = cell_text(row.get(header))
        if not text:
            continue
        if target in MULTI and sum(1 for t in mapping.values() if t == target) > 1:
            text = f"{header}: {text}"
            out[target] = f"{out[target]}\n{text}" if target in out else text
        else:
            out[target] = text
    return out


class Converter:
    """Converts rows of one job; reference lists are looked up once and cached.

    A customers/contacts job salts its fingerprints with its kind, so that a row never
    counts as a duplicate of a row of another kind with the same cells."""

    def __init__(self, mapping: dict[str, str], kind: str = "leads"):
        self.mapping = mapping
        self.kind = kind
        self._cache: dict[tuple[str, str], Any] = {}
        self._other = SourceChannel.objects.filter(code="other").first()

    def convert(self, row: dict[str, Any]) -> Converted:
        if len(self._cache) > CACHE_LIMIT:  # a file of distinct values keeps memory flat
            self._cache.clear()
        mapped = gather(row, self.mapping)
        salted = mapped if self.kind == "leads" else {**mapped, "": self.kind}
        result = Converted(fingerprint=fingerprint(salted))
        for name, text in mapped.items():
            try:
                self._put(result, name, text)
            except ValueError as error:
                result.errors.setdefault(name, []).append(str(error))
        return result

    def _put(self, result: Converted, name: str, text: str) -> None:
        if name == "source":
            channel = self._lookup(SourceChannel, text, code=True)
            if channel is None and self._other is not None:
                channel = self._other
                note = _("原始来源：{value}").format(value=text)
                notes = result.values.get("notes", "")
                result.values["notes"] = f"{notes}\n{note}" if notes else note
            result.values["source"] = channel
        elif name in NAMED:
            result.values[name] = self._must(NAMED[name], text)
        elif name in CHOICE_FIELDS:
            result.values[name] = _choice(CHOICE_FIELDS[name], text)
        elif name in DECIMAL_FIELDS:
            target = result.extras if name == "amount" else result.values
            target[name] = _decimal(text)
        elif name in DATETIME_FIELDS:
            result.extras[name] = parse_when(text)
        else:
            self._put_other(result, name, text)

    def _put_other(self, result: Converted, name: str, text: str) -> None:
        if name == "employees":
            result.values[name] = _integer(text)
        elif name == "expected_purchase_date":
            result.values[name] = timezone.localtime(parse_when(text)).date()
        elif name == "owner":
            result.extras["owner"] = self._user(text)
        elif name == "stage":
            result.extras["stage"] = self._stage(text)
        elif name == "lost_reason":
            from loudou.pipeline.models import LostReason

            result.extras["lost_reason"] = self._must(LostReason, text)
        elif name == "products":
            names = [p.strip() for p in text.replace("、", ",").replace("，", ",").split(",")]
            result.extras["products"] = [self._must(ProductLine, p) for p in names if p]
        elif name == "notes" and "notes" in result.values:
            result.values["notes"] = f"{text}\n{result.values['notes']}"
        else:
            result.values[name] = text

    def _lookup(self, model, text: str, *, code: bool = False):
        key = (model.__name__, text.casefold())
        if key not in self._cache:
            match = Q(name__iexact=text) | Q(name_en__iexact=text)
            if code:
                match |= Q(code__iexact=text)
            self._cache[key] = model.objects.filter(match).first()
        return self._cache[key]

    def _must(self, model, text: str):
        found = self._lookup(model, text)
        if found is None:
            raise ValueError(
                _("未知的{kind}：{value}").format(kind=model._meta.verbose_name, value=text)
            )
        return found

    def _user(self, text: str) -> User:
        key = ("User", text.casefold())
        if key not in self._cache:
            match = Q(username__iexact=text) | Q(display_name=text)
            self._cache[key] = User.objects.filter(match, is_active=True).first()
        if self._cache[key] is None:
            raise ValueError(_("未知的用户：{value}").format(value=text))
        return self._cache[key]

    def _stage(self, text: str):
        from loudou.pipeline.models import Stage
        from loudou.pipeline.services.moves import default_pipeline

        key = ("Stage", text.casefold())
        if key not in self._cache:
            pipeline = default_pipeline()
            match = Q(code__iexact=text) | Q(name__iexact=text) | Q(name_en__iexact=text)
            self._cache[key] = Stage.objects.filter(match, pipeline=pipeline).first()
        if self._cache[key] is None:
            raise ValueError(_("未知的阶段：{value}").format(value=text))
        return self._cache[key]


def _choice(choice_class, text: str) -> str:
    for value, label in choice_class.choices:
        if text.casefold() in {value.casefold(), str(label).casefold()}:
            return value
    raise ValueError(_("不可选的值：{value}").format(value=text))


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", "").replace("，", "").removesuffix("万").strip())
    except InvalidOperation as error:
        raise ValueError(_("不是数字：{value}").format(value=text)) from error


def _integer(text: str) -> int:
    number = _decimal(text)
    if number != number.to_integral_value() or number < 0:
        raise ValueError(_("不是非负整数：{value}").format(value=text))
    return int(number)


def parse_when(text: str) -> datetime:
    """A date or date-time (ISO, 2024/3/5, 2024年3月5日, …) as an aware datetime."""
    text = text.strip()
    dashed = text.replace("/", "-")
    try:
        value: datetime | date | None = parse_datetime(dashed) or parse_date(dashed)
    except ValueError:
        value = None
    for pattern in _DATE_FORMATS if value is None else []:
        try:
            value = datetime.strptime(text, pattern)  # noqa: DTZ007 (made aware below)
            break
        except ValueError:
            continue
    if value is None:
        raise ValueError(_("无法识别的日期：{value}").format(value=text))
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    return timezone.make_aware(value) if timezone.is_naive(value) else value
