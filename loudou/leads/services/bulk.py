"""Registering many leads in one transaction (imports): the steps of `register_lead`, row by
row in Python, with the reads done once per batch and the writes done as bulk inserts.

For each row, in order, exactly what `register_lead` does: default owner and
`ensure_assignable`, sensitive-data refusal, the duplicate check (`DuplicateIndex`, the
same answers as `loudou.leads.dedupe.find_duplicates`, rows accepted earlier in the batch
included), validation, normalisation and grading (`new_lead`), then what the caller adds
(a move to a historical stage, opportunity fields, release to the pool), validated with
the pipeline's own rules. A refused row raises and leaves nothing behind; accepted rows
are written together by `LeadBatch.write`: customers, contacts, leads (numbers reserved
in one block per year), the first-stage ledger row and every mapped move (ADR 0008
semantics, inserted rather than UPDATEd because the leads are new), products and the
audit events, in the order `register_lead` would have written them.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from loudou.compliance.phones import normalise_phone
from loudou.compliance.validation import refuse_sensitive
from loudou.core.inserts import insert_rows
from loudou.core.models import Event
from loudou.customers.models import Contact, Customer
from loudou.leads.choices import RuleKind
from loudou.leads.dedupe import (
    _HAS_CJK,
    _HAS_LATIN,
    KEY_PREFIX,
    MAX_CANDIDATES,
    Match,
    company_key,
    key_prefix,
    parse_company_name,
    pinyin_form,
    prefix_bounds,
    threshold,
)
from loudou.leads.models import DedupePolicy, Lead
from loudou.leads.services.grading import active_rules
from loudou.leads.services.numbering import next_lead_numbers
from loudou.leads.services.registration import (
    _labels,
    created_changes,
    default_owner,
    duplicates_changes,
    new_contact,
    new_customer,
    new_lead,
)
from loudou.org.models import User
from loudou.org.selectors import ensure_assignable


class Candidate:
    """A stored lead as the duplicate check reads it (a tuple, not a model instance: a
    batch may read thousands of them)."""

    __slots__ = ("pk", "number", "company_name", "company_key", "phone", "email", "owner_id")
    FIELDS = ("id", "number", "company_name", "company_key", "phone", "email", "owner_id")
    captured_at: datetime

    def __init__(self, row: tuple):
        (self.pk, self.number, self.company_name, self.company_key) = row[:4]
        (self.phone, self.email, self.owner_id) = row[4:7]


class TimedCandidate(Candidate):
    __slots__ = ("captured_at",)
    FIELDS = (*Candidate.FIELDS, "captured_at")

    def __init__(self, row: tuple):
        super().__init__(row)
        self.captured_at = row[-1]


@dataclass
class Move:
    """A stage change planned for a new lead: one ledger row and one event when written."""

    from_stage: Any
    to_stage: Any
    at: datetime
    owner_id: int | None
    lost_reason: Any = None


@dataclass
class Planned:
    """One accepted row: the unsaved lead and everything written with it."""

    lead: Lead
    matches: list[Match] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    steps: list[tuple[str, Any]] = field(default_factory=list)  # events after the placement
    products: list | None = None
    created: list = field(default_factory=list)  # lead.created's changes, as registered


_PREFIXES_PER_QUERY = 100


def _newest_by_prefix(prefixes: list[str]) -> list[tuple]:
    """For each prefix, the MAX_CANDIDATES newest leads (not merged away) whose company
    key starts with it, as find_duplicates reads them (dedupe.prefix_q), in one UNION ALL
    query; each row ends with its prefix. A full-length prefix reads its newest rows in
    the order of the (company_prefix, merged_into, id) index; a shorter one (a key of two
    or three letters) a company_key range, where the unary `+`s keep SQLite's planner on
    the range (without them it walks the merged_into index, i.e. the whole table)."""
    connection = connections[router.db_for_read(Lead)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(Lead._meta.get_field(name).column) for name in Candidate.FIELDS)
    table, key, merged = quote(Lead._meta.db_table), quote("company_key"), quote("merged_into_id")
    parts, params = [], []
    for i, prefix in enumerate(prefixes):
        if len(prefix) >= KEY_PREFIX:
            where, order = f"{quote('company_prefix')} = %s AND {merged} IS NULL", quote("id")
            params += [prefix, prefix]
        else:
            where, order = f"+{merged} IS NULL AND {key} >= %s AND {key} < %s", f"+{quote('id')}"
            params += [prefix, *prefix_bounds(prefix)]
        parts.append(
            f"SELECT * FROM (SELECT {columns}, %s AS prefix FROM {table}"  # noqa: S608
            f" WHERE {where} ORDER BY {order} DESC LIMIT {MAX_CANDIDATES}) AS p{i}"
        )
    if not parts:
        return []
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    return [row for row in rows if row[3].startswith(row[-1])]


#: Parsed company names kept across batches (each batch compares a row with up to 200
#: stored names per key prefix; dedupe's own cache, 20,000 names, thrashes at scale).
_PARSED_LIMIT = 30_000
_parsed_names: dict[str, tuple] = {}


def _parsed(name: str) -> tuple:
    """(core, text, has city, (latin, cjk) of core, (latin, cjk) of text) of a name."""
    found = _parsed_names.get(name)
    if found is None:
        if len(_parsed_names) >= _PARSED_LIMIT:
            _parsed_names.clear()
        parsed = parse_company_name(name)
        core, text = parsed.core, parsed.text
        found = (core, text, bool(parsed.city), _scripts(core), _scripts(text))
        _parsed_names[name] = found
    return found


def _scripts(text: str) -> tuple[bool, bool]:
    return bool(_HAS_LATIN.search(text)), bool(_HAS_CJK.search(text))


def similarity(a: str, b: str, cutoff: float = 0) -> float:
    """dedupe.company_similarity (0-100), with the parsed names cached; a score below
    `cutoff` may come back as 0."""
    found = similar(a, [b], cutoff)
    return found[0][1] if found else 0.0


def similar(name: str, others: list[str], cutoff: float) -> list[tuple[int, float]]:
    """[(i, similarity(name, others[i]))] for every score ≥ `cutoff`, in order of i."""
    return NamePool(others).scores(name, cutoff)


class NamePool:
    """Names to score one name against, parsed once and grouped by what decides how a pair
    is compared (the other's city, the scripts of its core and text): each group is scored
    by rapidfuzz in one call (an import compares each row with up to 200 names, and the
    rows of a batch share their candidates)."""

    def __init__(self, names: list[str]):
        groups: dict[tuple, tuple[list[int], list[str], list[str]]] = {}
        for i, other in enumerate(names):
            core, text, city, scripts_core, scripts_text = _parsed(other)
            if core:
                indexes, cores, texts = groups.setdefault(
                    (city, scripts_core, scripts_text), ([], [], [])
                )
                indexes.append(i)
                cores.append(core)
                texts.append(text)
        self.groups = list(groups.items())

    def scores(self, name: str, cutoff: float) -> list[tuple[int, float]]:
        core_a, text_a, city_a, scripts_core_a, scripts_text_a = _parsed(name)
        if not core_a:
            return []
        found: list[tuple[int, float]] = []
        for (city_b, scripts_core_b, scripts_text_b), (indexes, cores, texts) in self.groups:
            if city_a and city_b:  # both name a city: compare the whole texts
                x, ys, sx, sy = text_a, texts, scripts_text_a, scripts_text_b
            else:
                x, ys, sx, sy = core_a, cores, scripts_core_a, scripts_core_b
            if (sx[0] and sy[1]) or (sx[1] and sy[0]):  # mixed scripts compare in pinyin
                x, ys = pinyin_form(x), [pinyin_form(y) for y in ys]
            found.extend(
                (indexes[j], float(score))
                for _y, score, j in process.extract(
                    x, ys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
                )
            )
        return sorted(found)


class DuplicateIndex:
    """`find_duplicates` for a batch: existing leads with the batch's phones, emails and
    company-key prefixes read with a few queries; leads accepted in the batch are added
    with `add` so that a later row finds an earlier one, as it would row by row."""

    def __init__(self, rows: list[dict[str, Any]]):
        self.limit = threshold()
        phones, emails, prefixes = set(), set(), set()
        self._keys: dict[int, tuple[dict, tuple[str, str, str]]] = {}
        for values in rows:
            phone, email, key = keys = self.keys(values)
            self._keys[id(values)] = (values, keys)
            phones.add(phone)
            if "\x00" not in email:  # refused before any lookup (refuse_sensitive)
                emails.add(email)
            prefixes.add(key[:KEY_PREFIX] if len(key) >= 2 else "")
        self.by_phone = self._group(Lead.objects.filter(phone__in=phones - {""}), "phone")
        self.by_email = self._group(Lead.objects.filter(email__in=emails - {""}), "email")
        self.by_prefix: dict[str, list[Candidate]] = defaultdict(list)
        wanted = sorted(prefixes - {""})
        for start in range(0, len(wanted), _PREFIXES_PER_QUERY):
            for row in _newest_by_prefix(wanted[start : start + _PREFIXES_PER_QUERY]):
                self.by_prefix[row[-1]].append(Candidate(row))
        self.added: list[Lead] = []
        self._added_by: dict[tuple[str, str], list[Lead]] = defaultdict(list)
        self._position: dict[int, int] = {}
        self._pools: dict[str, NamePool] = {}  # of the stored candidates, by key prefix

    @staticmethod
    def keys(values: dict[str, Any]) -> tuple[str, str, str]:
        phone = normalise_phone(str(values.get("phone") or "")) or ""
        email = str(values.get("email") or "").strip().lower()
        return phone, email, company_key(str(values.get("company_name") or ""))

    @staticmethod
    def _group(queryset, name: str) -> dict[str, list[Candidate]]:
        grouped: dict[str, list[Candidate]] = defaultdict(list)
        fields = (*TimedCandidate.FIELDS, "merged_into_id")  # filtered here: see above
        rows = queryset.order_by("-captured_at", "-id").values_list(*fields)
        for row in rows:
            if row[-1] is not None:
                continue
            candidate = TimedCandidate(row[:-1])
            grouped[getattr(candidate, name)].append(candidate)
        return grouped

    def add(self, lead: Lead) -> None:
        self.added.append(lead)
        for kind, value in (("phone", lead.phone), ("email", lead.email)):
            if value:
                self._added_by[kind, value].append(lead)
        key = lead.company_key
        for length in range(2, min(len(key), KEY_PREFIX) + 1):  # every prefix a row may ask
            self._added_by["prefix", key[:length]].append(lead)
        self._position[id(lead)] = len(self.added)

    def _newest(self, existing: list[Lead], added: list[Lead]) -> list[Lead]:
        """The MAX_CANDIDATES newest by (-captured_at, -id), as the database would order
        them (leads of this batch get ids above every stored one)."""
        merged = [*reversed(added), *existing]
        merged.sort(key=lambda lead: lead.captured_at, reverse=True)  # stable: id order
        return merged[:MAX_CANDIDATES]

    def _similar(self, prefix: str, name: str) -> list[tuple[Any, float]]:
        """[(lead, score)] of the prefix's MAX_CANDIDATES newest leads (this batch's first,
        newest first, then the stored ones by -id) whose name scores at least the
        threshold; the stored ones' names are parsed once per batch."""
        added = self._added_by.get(("prefix", prefix), [])[::-1][:MAX_CANDIDATES]
        stored = self.by_prefix.get(prefix, [])[: MAX_CANDIDATES - len(added)]
        pool = self._pools.get(prefix)
        if pool is None:
            pool = self._pools[prefix] = NamePool([lead.company_name for lead in stored])
        found = [
            (added[i], score)
            for i, score in NamePool([lead.company_name for lead in added]).scores(name, self.limit)
        ]
        found += [
            (stored[i], score) for i, score in pool.scores(name, self.limit) if i < len(stored)
        ]
        return found

    def find(self, values: dict[str, Any]) -> list[Match]:
        """The matches find_duplicates would return, best first."""
        known = self._keys.get(id(values))
        phone, email, key = known[1] if known and known[0] is values else self.keys(values)
        found: dict[int, Match] = {}

        def hit(lead: Lead, reason: str, score: float) -> None:
            ident = lead.pk if lead.pk is not None else -1 - self._position[id(lead)]
            match = found.setdefault(ident, Match(lead=lead))
            match.reasons.append(reason)
            match.score = max(match.score, score)

        if phone:
            added = self._added_by.get(("phone", phone), [])
            for lead in self._newest(self.by_phone.get(phone, []), added):
                hit(lead, "phone", 100.0)
        if email:
            added = self._added_by.get(("email", email), [])
            for lead in self._newest(self.by_email.get(email, []), added):
                hit(lead, "email", 100.0)
        if len(key) >= 2:
            prefix = key[:KEY_PREFIX]
            name = str(values.get("company_name") or "")
            for lead, score in self._similar(prefix, name):
                hit(lead, "company", score)
        return sorted(
            found.values(),
            key=lambda m: (-len(m.reasons), -m.score, -_rank(m.lead, self._position)),
        )


def _rank(lead: Lead, added: dict[int, int]) -> int:
    """The id, or for a lead of this batch (no id yet) a rank above every stored id."""
    if lead.pk is not None:
        return lead.pk
    return 2**62 + added[id(lead)]


class LeadBatch:
    """Plan rows one by one (`plan`, then optional `move`/`set_opportunity`/`release`,
    then `accept`), then `write` them all. Reads shared by every row happen once."""

    def __init__(self, *, actor: User, via: str, rows: list[dict[str, Any]], on_duplicate: str):
        from loudou.pipeline.services.moves import default_pipeline, first_stage

        self.actor, self.via, self.now = actor, via, timezone.now()
        self.action = on_duplicate
        if on_duplicate == "policy":
            policy = DedupePolicy.current()
            rule = policy.import_action if via == "import" else policy.api_action
            self.action = "check" if rule == DedupePolicy.Action.BLOCK else "keep"
        if self.action not in {"check", "keep"}:
            raise ValidationError({"on_duplicate": _("未知的查重处理方式。")})
        self.rules = {kind: active_rules(kind) for kind in (RuleKind.INTENT, RuleKind.RATING)}
        self.index = DuplicateIndex(rows)
        pipeline = default_pipeline()
        self.first_stage = first_stage(pipeline) if pipeline else None
        self.accepted: list[Planned] = []
        self._assignable: dict[int, PermissionDenied | None] = {}
        self._lost_reasons: dict[tuple, Any] = {}
        self.cache: dict[str, Any] = {}  # the caller's own per-batch lookups

    # planning ---------------------------------------------------------------------------

    def ensure_assignable(self, owner: User | None) -> None:
        if owner is None:
            return
        if owner.pk not in self._assignable:
            try:
                ensure_assignable(self.actor, owner)
                self._assignable[owner.pk] = None
            except PermissionDenied as error:
                self._assignable[owner.pk] = error
        if self._assignable[owner.pk] is not None:
            raise self._assignable[owner.pk]

    def plan(
        self,
        *,
        values: dict[str, Any],
        owner: User | None = None,
        captured_at: datetime | None = None,
        external_ref: str | None = None,
        historical: bool = False,
    ) -> Planned:
        """register_lead's checks for one row; raises as it would (nothing is kept)."""
        from loudou.leads.exceptions import DuplicateLead

        owner = default_owner(self.actor, owner)
        self.ensure_assignable(owner)
        refuse_sensitive(values, _labels())
        matches = self.index.find(values)
        if matches and self.action == "check":
            raise DuplicateLead(matches)
        lead = new_lead(
            actor=self.actor,
            values=values,
            owner=owner,
            captured_at=captured_at,
            external_ref=external_ref,
            now=self.now,
            rules=self.rules,
            preloaded=True,
            historical=historical,
        )
        lead.company_key = company_key(lead.company_name)
        lead.company_prefix = key_prefix(lead.company_key)
        planned = Planned(lead=lead, matches=matches, created=created_changes(lead))
        if lead.is_valid and self.first_stage is not None:  # place_new_lead
            self._apply_move(planned, self.first_stage, lead.captured_at, None)
        return planned

    def _apply_move(self, planned: Planned, to_stage, at: datetime, lost_reason) -> None:
        lead = planned.lead
        move = Move(lead.stage, to_stage, at, lead.owner_id, lost_reason)
        lead.pipeline, lead.stage, lead.stage_entered_at = to_stage.pipeline, to_stage, at
        lead.status = lead.derive_status()
        planned.moves.append(move)
        planned.steps.append(("move", move))

    def move(self, planned: Planned, *, to_stage, at: datetime, lost_reason=None) -> None:
        """move_stage's checks and effect on a planned lead (ValidationError as it)."""
        from loudou.pipeline.services.moves import _check_target, _lost_reason

        _check_target(planned.lead, to_stage, at)
        key = (to_stage.kind, getattr(lost_reason, "pk", lost_reason))
        if key not in self._lost_reasons:
            try:
                self._lost_reasons[key] = _lost_reason(to_stage, lost_reason)
            except ValidationError as error:
                self._lost_reasons[key] = error
        found = self._lost_reasons[key]
        if isinstance(found, ValidationError):
            raise found
        self._apply_move(planned, to_stage, at, found)

    def release(self, planned: Planned, *, reason: str) -> None:
        """Take the new lead (and its new customer) back to no owner, logged with `reason`."""
        lead = planned.lead
        if lead.owner_id is None:
            return
        changes = [{"field": "owner", "before": str(lead.owner), "after": None}]
        lead.owner, lead.assigned_at = None, None
        planned.steps.append(("released", (changes, reason)))

    def set_opportunity(
        self, planned: Planned, *, amount: Decimal | None = None, products: list | None = None
    ) -> None:
        """update_opportunity's checks and effect for amount and products on a new lead."""
        from loudou.pipeline.services.opportunity import _cents

        lead, names = planned.lead, []
        if amount is not None:
            lead.amount = _cents(Decimal(amount)) if isinstance(amount, (int, Decimal)) else amount
            lead.full_clean(exclude=[f.name for f in Lead._meta.fields if f.name != "amount"])
            names.append("amount")
        if products is not None:
            if any(not p.is_active for p in products):
                raise ValidationError({"products": _("不存在的产品线。")})
            planned.products = list({p.pk: p for p in products}.values())
            names.append("products")
        if names:
            planned.steps.append(("opportunity", names))

    def accept(self, planned: Planned) -> None:
        self.accepted.append(planned)
        self.index.add(planned.lead)

    # writing ----------------------------------------------------------------------------

    def write(self) -> list[Lead]:
        """Insert every accepted row; returns the leads, in row order, with their ids."""
        from loudou.pipeline.models import StageChange

        if not self.accepted:
            return []
        leads = [p.lead for p in self.accepted]
        self._number(leads)
        customers = [new_customer(lead, self.actor) for lead in leads]
        insert_rows(Customer, customers, returning=True)
        contacts = []
        for lead, customer in zip(leads, customers, strict=True):
            lead.customer = customer
            if lead.contact_name:
                lead.contact = new_contact(lead)
                contacts.append(lead.contact)
        insert_rows(Contact, contacts, returning=True)
        for lead in leads:
            lead.customer = lead.customer  # the ids, now that they exist
            if lead.contact_name:
                lead.contact = lead.contact
        insert_rows(Lead, leads, returning=True)
        changes = [self._ledger_row(p.lead, m) for p in self.accepted for m in p.moves]
        insert_rows(StageChange, changes)
        self._products()
        insert_rows(Event, self._events())
        return leads

    def _number(self, leads: list[Lead]) -> None:
        by_year: dict[int, list[Lead]] = defaultdict(list)
        for lead in leads:
            lead.search_key = _search_key(lead)
            by_year[timezone.localtime(lead.captured_at).year].append(lead)
        for year, group in sorted(by_year.items()):
            for lead, number in zip(group, next_lead_numbers(year, len(group)), strict=True):
                lead.number = number

    def _ledger_row(self, lead: Lead, move: Move) -> dict[str, Any]:
        return {
            "lead_id": lead.pk,
            "pipeline_id": move.to_stage.pipeline_id,
            "from_stage_id": getattr(move.from_stage, "pk", None),
            "to_stage_id": move.to_stage.pk,
            "at": move.at,
            "actor_id": self.actor.pk,
            "owner_id": move.owner_id,
            "reason": "",
            "via": self.via,
            "lost_reason_id": getattr(move.lost_reason, "pk", None),
            "win_factors": [],
        }

    def _products(self) -> None:
        through = Lead.products.through
        rows = [
            {"lead_id": p.lead.pk, "productline_id": product.pk}
            for p in self.accepted
            for product in p.products or []
        ]
        insert_rows(through, rows)

    def _events(self) -> list[dict[str, Any]]:
        kinds = ContentType.objects.get_for_models(Lead, Customer, Contact)
        events = []

        def event(obj, verb: str, changes=None, reason: str = "") -> None:
            events.append(
                {
                    "actor_id": self.actor.pk,
                    "verb": verb,
                    "content_type_id": kinds[type(obj)].pk,
                    "object_id": obj.pk,
                    "changes": changes or [],
                    "reason": reason,
                }
            )

        for planned in self.accepted:
            lead = planned.lead
            event(lead.customer, "customer.created")
            if lead.contact is not None:
                event(lead.contact, "contact.created")
            event(lead, "lead.created", planned.created)
            if planned.matches:
                event(lead, "lead.duplicates_kept", duplicates_changes(planned.matches), "keep")
            for kind, detail in planned.steps:
                if kind == "move":
                    event(lead, "lead.stage_changed", *_move_event(detail))
                elif kind == "released":
                    event(lead, "lead.updated", detail[0], detail[1])
                else:
                    event(lead, "lead.opportunity_updated", _opportunity(planned, detail))
        return events


def _search_key(lead: Lead) -> str:
    from loudou.leads.search import pinyin_key

    return pinyin_key(lead.company_name, lead.contact_name)


def _move_event(move: Move) -> tuple[list, str]:
    name = None if move.from_stage is None else move.from_stage.name
    changes = [{"field": "stage", "before": name, "after": move.to_stage.name}]
    return changes, move.lost_reason.name if move.lost_reason is not None else ""


def _opportunity(planned: Planned, names: list[str]) -> list[dict[str, Any]]:
    from loudou.core import audit

    lead = planned.lead
    after = audit.snapshot(lead, [n for n in names if n != "products"])
    before = dict.fromkeys(after)
    if "products" in names:
        before["products"] = []
        after["products"] = sorted(p.name for p in planned.products or [])
    return audit.diff(before, after)
