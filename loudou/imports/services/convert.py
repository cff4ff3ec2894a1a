"""Turning one mapped row of cells into register_lead's values plus the import extras.

A column with a value mapping (`ImportJob.value_mapping`, see `services.values`) reads each
cell through it: the chosen target, or nothing when the value was mapped to "left empty";
a value the mapping does not name is read as without one (an exact match of a target,
else the row is refused with the reason)."""

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

from loudou.imports.mapping import MULTI, STAGE_DATE_PREFIX
from loudou.imports.readers import cell_text
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
#: Fields whose values are looked up (and so may be mapped value by value; a products
#: cell as a whole, to one product line).
LOOKED_UP = {"source", "owner", "stage", "lost_reason", "products", *NAMED, *CHOICE_FIELDS}
#: Of those, the ones the import uses around register_lead (not sheet fields).
_EXTRA_LOOKUPS = {"owner", "stage", "lost_reason", "products"}
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
    #: the mapped external id (the fingerprint is made of it alone), or ""
    external_id: str = ""


def fingerprint(mapped: dict[str, str]) -> str:
    """sha256 of the mapped, normalised values (field order does not matter)."""
    raw = json.dumps(sorted(mapped.items()), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def repeat_fingerprint(first: str, line: int) -> str:
    """The fingerprint of a row whose values repeat an earlier row of the same file: its
    line joins in, so that both rows are imported (see jobs.separate_repeats)."""
    return hashlib.sha256(f"{first}:{line}".encode()).hexdigest()


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
    counts as a duplicate of a row of another kind with the same cells. `values`: the
    job's value mapping {column: {value: target key}}."""

    def __init__(
        self,
        mapping: dict[str, str],
        kind: str = "leads",
        values: dict[str, dict[str, str]] | None = None,
    ):
        self.mapping = mapping
        self.kind = kind
        self._cache: dict[tuple[str, str], Any] = {}
        self._other = SourceChannel.objects.filter(code="other").first()
        column = {f: h for h, f in mapping.items() if f in LOOKED_UP}
        self._values = {
            name: (table, {raw.casefold(): key for raw, key in table.items()})
            for name, header in column.items()
            if (table := (values or {}).get(header))
        }

    def convert(self, row: dict[str, Any]) -> Converted:
        if len(self._cache) > CACHE_LIMIT:  # a file of distinct values keeps memory flat
            self._cache.clear()
        mapped = gather(row, self.mapping)
        external = mapped.get("external_id", "")
        keyed = {"external_id": external} if external else mapped
        salted = keyed if self.kind == "leads" else {**keyed, "": self.kind}
        result = Converted(fingerprint=fingerprint(salted), external_id=external)
        for name, text in mapped.items():
            try:
                if name in self._values:
                    self._put_mapped(result, name, text)
                else:
                    self._put(result, name, text)
            except ValueError as error:
                result.errors.setdefault(name, []).append(str(error))
        _default_capture(result.extras)
        return result

    def _put_mapped(self, result: Converted, name: str, text: str) -> None:
        """A cell of a column with a value mapping: its target, nothing when it was mapped
        to "left empty", else read as without a value mapping (an exact match, or the
        row is refused with the reason; a source: 其他, the value kept in the notes)."""
        table, folded = self._values[name]
        key = table.get(text, folded.get(text.casefold()))
        if key is None:
            self._put(result, name, text)
        elif key != "":
            found = self._keyed(name, key)
            target = result.extras if name in _EXTRA_LOOKUPS else result.values
            target[name] = [found] if name == "products" else found

    def _keyed(self, name: str, key: str) -> Any:
        """The target a value mapping names by its key (a choice value or a primary key)."""
        if name in CHOICE_FIELDS:
            return key
        cache_key = (f"key:{name}", key)
        if cache_key not in self._cache:
            model = looked_up_models()[name]
            found = model.objects.filter(pk=key).first() if key.isdigit() else None
            if found is not None and name == "owner" and not found.is_active:
                found = None
            self._cache[cache_key] = found
        if self._cache[cache_key] is None:
            raise ValueError(_("值映射选择的对象已不存在：{key}").format(key=key))
        return self._cache[cache_key]

    def _put(self, result: Converted, name: str, text: str) -> None:
        if name == "source":
            channel = self._lookup(SourceChannel, text, code=True)
            if channel is None and self._other is not None:
                channel = self._other
                _note(result, _("原始来源：{value}").format(value=text))
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
        elif name.startswith(STAGE_DATE_PREFIX):
            stage = self._stage_by_code(name.removeprefix(STAGE_DATE_PREFIX))
            result.extras.setdefault("stage_dates", {})[stage] = parse_when(text)
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
        elif name == "external_id":
            _note(result, _("外部编号：{value}").format(value=text))
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

    def _stage_by_code(self, code: str):
        from loudou.pipeline.models import Stage
        from loudou.pipeline.services.moves import default_pipeline

        key = ("StageCode", code)
        if key not in self._cache:
            found = Stage.objects.filter(code=code, pipeline=default_pipeline()).first()
            self._cache[key] = found
        if self._cache[key] is None:
            raise ValueError(_("未知的阶段：{value}").format(value=code))
        return self._cache[key]


def looked_up_models() -> dict[str, Any]:
    """The model each looked-up field refers to."""
    from loudou.pipeline.models import LostReason, Stage

    return {
        "source": SourceChannel,
        "owner": User,
        "stage": Stage,
        "lost_reason": LostReason,
        "products": ProductLine,
        **NAMED,
    }


def _note(result: Converted, note: str) -> None:
    notes = result.values.get("notes", "")
    result.values["notes"] = f"{notes}\n{note}" if notes else note


def _default_capture(extras: dict[str, Any]) -> None:
    """A row without a capture time was captured at its earliest date (a stage entered,
    the won/lost date), so that its history does not start after itself; without any
    date, at the time of the import (register_lead's default)."""
    if extras.get("captured_at") is not None:
        return
    dates = [*extras.get("stage_dates", {}).values()]
    dates += [extras[name] for name in ("stage_entered_at", "closed_at") if extras.get(name)]
    if dates:
        extras["captured_at"] = min(dates)


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
