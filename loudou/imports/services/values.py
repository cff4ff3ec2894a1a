"""Value mapping: for a column mapped to a looked-up field (stage, owner, source, lost reason,
industry, region, products, the grading choices), which target each value of the file
means ("Won" → 签约客户, "Moses Frase" → a user).

A target is named by its key: the primary key of a record (as text), or a choice value;
"" means "leave the field empty". The API and the CLI may also name a target by its code,
username or (English) name; `clean_values` turns that into the key. Suggestions come from
the user's saved choices (`ValueMapping`), then from similarity (rapidfuzz) with the
targets' codes, names, English names, usernames, display names and their pinyin, and a
few English CRM words for the seeded stages.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from loudou.imports.exceptions import ImportFileError
from loudou.imports.models import ImportJob, ValueMapping
from loudou.imports.services.convert import CHOICE_FIELDS, LOOKED_UP, looked_up_models
from loudou.leads.dedupe import pinyin_form
from loudou.org.models import User

#: A suggestion needs at least this similarity (0-100) with one of a target's words.
SIMILAR = 85
#: The longest value whose choice is saved (ValueMapping.raw).
MAX_RAW = 200
#: English CRM words for the stages of the seeded pipeline, by stage code.
STAGE_WORDS = {
    "resource": ["prospecting", "prospect", "new", "潜在客户"],
    "contacted": ["engaging", "engaged", "contacting", "接触中"],
    "opportunity": ["qualified", "qualification", "proposal", "商机"],
    "signed": ["won", "closed won", "win", "成交", "赢单", "已成交"],
    "abandoned": ["lost", "closed lost", "loss", "丢单", "输单", "已放弃"],
}
_NOISE = re.compile(r"[\W_]+")


@dataclass
class Option:
    """One target a value may be mapped to."""

    key: str
    label: str
    words: list[str] = field(default_factory=list)


def _plain(text: str) -> str:
    return _NOISE.sub("", text).casefold()


def _pinyin(text: str) -> str:
    return pinyin_form(text or "")


def options(name: str, actor: User) -> list[Option]:
    """The targets of the field `name` a value may be mapped to, in display order."""
    if name in CHOICE_FIELDS:
        return [Option(v, str(label), [v, str(label)]) for v, label in CHOICE_FIELDS[name].choices]
    if name == "owner":
        from loudou.org.selectors import assignable_users

        users = assignable_users(actor).order_by("username")
        return [
            Option(str(u.pk), str(u), [u.username, u.display_name, _pinyin(u.display_name)])
            for u in users
        ]
    if name == "stage":
        return _stage_options()
    return _record_options(name)


def _stage_options() -> list[Option]:
    from loudou.pipeline.services.moves import default_pipeline

    pipeline = default_pipeline()
    if pipeline is None:
        return []
    return [
        Option(
            str(s.pk),
            str(s),
            [s.code, s.name, s.name_en, _pinyin(s.name), *STAGE_WORDS.get(s.code, [])],
        )
        for s in pipeline.stages.order_by("order")
    ]


def _record_options(name: str) -> list[Option]:
    model = looked_up_models()[name]
    records = model.objects.all()
    if hasattr(model, "is_active"):
        records = records.filter(is_active=True)
    out = []
    for record in records:
        words = [record.name, record.name_en, _pinyin(record.name)]
        if hasattr(record, "code"):
            words.append(record.code)
        out.append(Option(str(record.pk), str(record), words))
    return out


def suggest(raw: str, choices: list[Option], saved: str | None = None) -> str | None:
    """The key suggested for the value `raw`: the saved choice while it is still a target,
    else the target with the most similar word (at least SIMILAR), else None."""
    keys = {o.key for o in choices}
    if saved is not None and (saved == "" or saved in keys):
        return saved
    wanted, folded = _plain(raw), raw.casefold()
    if not wanted:
        return None
    best, score = None, SIMILAR - 0.5
    for option in choices:  # the first of equally similar targets wins
        for word in filter(None, option.words):
            found = max(
                fuzz.ratio(wanted, _plain(word)),
                fuzz.token_sort_ratio(folded, word.casefold()),
            )
            if found > score:
                best, score = option.key, found
    return best


def distinct_values(job: ImportJob, header: str) -> tuple[list[str], bool]:
    """(values, more) of a column: as gathered from the whole file, or for a job read
    before that, from its sample."""
    if job.distinct is not None:
        found = job.distinct.get(header) or {"values": [], "more": False}
        return list(found["values"]), bool(found["more"])
    from loudou.imports.readers import cell_text, sample_rows

    seen: dict[str, None] = {}
    for _line, row in sample_rows(job.sample or [], job.headers):
        text = cell_text(row.get(header))
        if text:
            seen[text] = None
    return list(seen), True


def value_columns(mapping: dict[str, str]) -> dict[str, str]:
    """{column: field} of the mapped columns whose values may be mapped one by one."""
    return {h: f for h, f in mapping.items() if f in LOOKED_UP}


def _saved(actor: User, kind: str, name: str) -> dict[str, str]:
    rows = ValueMapping.objects.filter(user=actor, kind=kind, field=name)
    return dict(rows.values_list("raw", "target"))


def suggested_values(
    *, actor: User, job: ImportJob, mapping: dict[str, str]
) -> dict[str, dict[str, str]]:
    """{column: {value: key}} for every value-mapped column of `mapping`: the values of
    the file with a saved or similar target (the others stay unmapped)."""
    out = {}
    for header, name in value_columns(mapping).items():
        choices, saved = options(name, actor), _saved(actor, job.kind, name)
        raws, _more = distinct_values(job, header)
        table = {}
        for raw in raws:
            key = suggest(raw, choices, saved.get(raw))
            if key is not None:
                table[raw] = key
        out[header] = table
    return out


def clean_values(
    *, actor: User, mapping: dict[str, str], values: dict[str, Any]
) -> dict[str, dict[str, str]]:
    """`values` ({column: {value: target}}) with each target turned into its key ("" stays
    "": left empty); ImportFileError("bad_mapping") for a column that is not mapped to a
    looked-up field, or a target that names nothing (or more than one thing)."""
    columns = value_columns(mapping)
    clean, problems = {}, []
    for header, table in values.items():
        if header not in columns or not isinstance(table, dict):
            problems.append(str(header))
            continue
        choices = options(columns[header], actor)
        clean[header] = {}
        for raw, target in table.items():
            key = _key(choices, "" if target is None else str(target))
            if key is None:
                problems.append(f"{header}：{raw}→{target}")
            else:
                clean[header][str(raw)] = key
    if problems:
        raise ImportFileError("bad_mapping", detail="、".join(problems))
    return clean


def _key(choices: list[Option], target: str) -> str | None:
    """The key `target` names: a key, else the one target with that word (case-folded)."""
    target = target.strip()
    if target == "" or any(o.key == target for o in choices):
        return target
    named = {o.key for o in choices for w in o.words if w and w.casefold() == target.casefold()}
    return named.pop() if len(named) == 1 else None


def remember(*, actor: User, kind: str, mapping: dict[str, str], values: dict) -> None:
    """Save the user's choices per field and value, for the next file of this kind."""
    rows = [  # a longer value is never offered again (readers.DISTINCT_CHARS): not kept
        ValueMapping(user=actor, kind=kind, field=mapping[header], raw=raw, target=key)
        for header, table in values.items()
        for raw, key in table.items()
        if len(raw) <= MAX_RAW
    ]
    ValueMapping.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["user", "kind", "field", "raw"],
        update_fields=["target", "updated_at"],
    )


def value_table(job: ImportJob, actor: User) -> list[dict[str, Any]]:
    """What the mapping page and GET /api/imports/{id}/values show: per value-mapped column
    of the job's mapping, its field, targets and distinct values with their chosen key
    (the job's value mapping, else the suggestion; None: unmapped)."""
    from loudou.imports.mapping import target_labels

    chosen = job.value_mapping or {}
    suggestions = suggested_values(actor=actor, job=job, mapping=job.mapping)
    labels = target_labels(job.kind)
    out = []
    for header, name in value_columns(job.mapping).items():
        raws, more = distinct_values(job, header)
        table = chosen.get(header, suggestions.get(header, {}))
        choices = options(name, actor)
        out.append(
            {
                "column": header,
                "field": name,
                "label": str(labels.get(name, name)),
                "options": [{"key": o.key, "label": o.label} for o in choices],
                "values": [{"value": raw, "target": table.get(raw)} for raw in raws],
                "more": more,
            }
        )
    return out
