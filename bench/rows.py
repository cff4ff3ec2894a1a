"""Turn simulated arrays into table rows and write them, one chunk per transaction."""

from itertools import repeat

import numpy as np
from django.db import connection, transaction
from django.db.models import Max

from bench import simulate
from bench.org import Names
from bench.simulate import Org
from bench.writers import dates, insert_rows, nullable_ids, timestamps
from loudou.activities.models import FollowUp
from loudou.leads.models import Lead, LeadSequence
from loudou.pipeline.models import StageChange

LOCAL_OFFSET = 8 * 3600  # Asia/Shanghai, for lead-number years and dates
TITLES = ["总经理", "采购经理", "IT负责人", "财务总监", "运营总监", "行政主管", "技术总监"]
INVALID_REASONS = ["空号或错号", "重复登记", "无采购需求", "同行询价"]
SUMMARIES = {
    "phone": [
        "电话沟通需求，客户愿意进一步了解",
        "电话回访，客户在内部评估",
        "电话未接通，稍后再联系",
    ],
    "wechat": ["微信发送产品资料和案例", "微信沟通报价细节", "微信确认演示时间"],
    "visit": ["上门拜访，与采购和技术负责人面谈", "拜访客户现场，了解使用场景"],
    "email": ["邮件发送方案和报价单", "邮件回复客户的技术问题"],
    "meeting": ["线上会议演示产品", "与客户管理层开会讨论合作"],
    "other": ["展会现场交流", "其他方式沟通"],
}
NEXT_ACTIONS = ["电话回访", "发送报价", "安排产品演示", "上门拜访", "发送案例资料", "确认采购流程"]
LEVELS = {  # per intent grade A/B/C: need level, budget fit, decision cycle
    0: ("explicit", "fits", "1m"),
    1: ("initial", "tight", "1_3m"),
    2: ("aware", "unknown", "3m_plus"),
}


class Numbering:
    """Lead ids and LX<year><6 digits> numbers continuing what the database holds."""

    def __init__(self) -> None:
        self.next_id = (Lead.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.last = dict(LeadSequence.objects.values_list("year", "last"))

    def take(self, captured: np.ndarray) -> tuple[np.ndarray, list[str]]:
        ids = np.arange(self.next_id, self.next_id + len(captured), dtype=np.int64)
        self.next_id += len(captured)
        years = (captured + LOCAL_OFFSET).astype("datetime64[s]").astype("datetime64[Y]")
        years = years.astype(np.int64) + 1970
        numbers = []
        for year in np.unique(years):
            count = int((years == year).sum())
            start = self.last.get(int(year), 0)
            self.last[int(year)] = start + count
            numbers.extend(f"LX{year}{n:06d}" for n in range(start + 1, start + count + 1))
        return ids, numbers  # captured is sorted, so years come in order

    def save(self) -> None:
        for year, last in self.last.items():
            LeadSequence.objects.update_or_create(year=year, defaults={"last": last})


def _rows(model, values: dict) -> tuple[list[str], zip]:
    """Columns of `model` and row tuples: given values (lists or scalars), else defaults."""
    columns, series = [], []
    for f in model._meta.concrete_fields:
        if f.column in values:
            value = values[f.column]
        elif f.primary_key:
            continue
        elif f.get_default() is not None or f.null:
            value = f.get_db_prep_save(f.get_default(), connection)
        else:
            raise ValueError(f"no value for {model.__name__}.{f.column}")
        columns.append(f.column)
        series.append(value if isinstance(value, list) else repeat(value))
    return columns, zip(*series)  # noqa: B905 (scalars repeat forever)


def _pick(pool: list[str], index: np.ndarray) -> list[str]:
    return [pool[i] for i in index.tolist()]


def lead_values(rng, org: Org, names: Names, sim: dict, fu: dict, ids, numbers) -> dict:
    """Column → values of the leads (invariants: stage, entered, status, last contact)."""
    n = sim["n"]
    depth = sim["depth"]
    stage_ids = np.asarray(org.stage_ids)
    stage = np.where(depth >= 0, stage_ids[np.maximum(depth, 0)], 0)
    stage = np.where(sim["lost"], org.lost_stage_id, stage)
    entered = sim["enter"][np.arange(n), np.maximum(depth, 0)]
    entered = np.where(sim["lost"], sim["lost_at"], np.where(depth >= 0, entered, -1))
    last_contact = fu["last_contact"]
    status = np.where(last_contact >= 0, "in_progress", "pending")
    status = np.where(sim["won"], "converted", np.where(sim["lost"], "lost", status))
    cell = sim["region"] * len(org.industry_ids) + sim["industry"]
    company = cell * names.cells + rng.integers(0, names.cells, n)
    contact = rng.integers(0, len(names.contact), n)
    search = [
        f"{a} {b}"[:500]
        for a, b in zip(
            _pick(names.company_pinyin, company), _pick(names.contact_pinyin, contact), strict=True
        )
    ]
    opportunity = depth >= simulate.OPPORTUNITY_FROM
    amount = np.round(np.exp(rng.normal(np.log(150_000), 0.8, n)), -2)
    amount_text = np.char.mod("%.2f", amount).astype(object)
    amount_text[~opportunity] = None
    close = np.where(opportunity, sim["enter"][:, simulate.OPPORTUNITY_FROM] + 30 * 86_400, -1)
    grade = sim["grade"]
    levels = np.array([LEVELS[g] for g in range(3)])[grade]
    updated = np.maximum(np.maximum(entered, last_contact), sim["captured"])
    employees = np.exp(rng.normal(np.log(120), 1.1, n)).astype(np.int64) + 3
    return {
        "id": ids.tolist(),
        "number": numbers,
        "search_key": search,
        "company_key": _pick(names.company_key, company),
        "company_name": _pick(names.company, company),
        "industry_id": np.asarray(org.industry_ids)[sim["industry"]].tolist(),
        "employees": employees.tolist(),
        "annual_revenue": np.char.mod("%.2f", employees * rng.uniform(15, 120, n)).tolist(),
        "region_id": np.asarray(org.region_ids)[sim["region"]].tolist(),
        "contact_name": _pick(names.contact, contact),
        "contact_title": _pick(TITLES, rng.integers(0, len(TITLES), n)),
        "phone": [f"1{p}" for p in rng.integers(3_000_000_000, 9_999_999_999, n).tolist()],
        "source_id": np.asarray(org.source_ids)[sim["source"]].tolist(),
        "need_level": levels[:, 0].tolist(),
        "budget_fit": levels[:, 1].tolist(),
        "decision_cycle": levels[:, 2].tolist(),
        "intent_grade_auto": simulate.GRADES[grade].tolist(),
        "intent_grade": simulate.GRADES[grade].tolist(),
        "rating_auto": simulate.GRADES[sim["rating"]].tolist(),
        "rating": simulate.GRADES[sim["rating"]].tolist(),
        "is_valid": sim["valid"].tolist(),
        "invalid_reason": np.where(
            sim["valid"], "", np.asarray(INVALID_REASONS)[rng.integers(0, 4, n)]
        ).tolist(),
        "owner_id": nullable_ids(sim["owner"]),
        "captured_by_id": org.capturer_id,
        "captured_at": timestamps(sim["captured"]),
        "assigned_at": timestamps(sim["assigned"]),
        "pipeline_id": nullable_ids(np.where(depth >= 0, org.pipeline_id, 0)),
        "stage_id": nullable_ids(stage),
        "stage_entered_at": timestamps(entered),
        "status": status.tolist(),
        "last_contact_at": timestamps(last_contact),
        "amount": amount_text.tolist(),
        "expected_close_date": dates(close),
        "created_at": timestamps(sim["captured"]),
        "updated_at": timestamps(updated),
    }


def ledger_values(org: Org, led: dict, ids: np.ndarray) -> dict:
    owner = nullable_ids(led["owner"])
    return {
        "lead_id": ids[led["lead"]].tolist(),
        "pipeline_id": org.pipeline_id,
        "from_stage_id": nullable_ids(led["from"]),
        "to_stage_id": led["to"].tolist(),
        "at": timestamps(led["at"]),
        "actor_id": owner,
        "owner_id": owner,
        "reason": "",
        "via": led["via"].tolist(),
        "lost_reason_id": nullable_ids(led["lost_reason"]),
        "win_factors": led["win_factors"],
    }


def follow_up_values(fu: dict, ids: np.ndarray) -> dict:
    m = len(fu["lead"])
    text = fu["text"]
    summaries = [
        SUMMARIES[c][t % len(SUMMARIES[c])]
        for c, t in zip(fu["channel"].tolist(), text.tolist(), strict=True)
    ]
    action = np.asarray(NEXT_ACTIONS)[text % len(NEXT_ACTIONS)]
    has = fu["has_action"]
    owner = nullable_ids(np.where(has, fu["owner"], 0))
    occurred = timestamps(fu["at"])
    return {
        "lead_id": ids[fu["lead"]].tolist(),
        "occurred_at": occurred,
        "channel": fu["channel"].tolist(),
        "summary": summaries,
        "next_action": np.where(has, action, "").tolist(),
        "next_action_owner_id": owner,
        "next_action_due": timestamps(fu["due"]),
        "next_action_done_at": timestamps(fu["done"]),
        "result": fu["result"].tolist(),
        "author_id": fu["owner"].tolist(),
        "created_at": occurred if m else [],
    }


def write_chunk(rng, org: Org, names: Names, numbering: Numbering, captured) -> dict[str, int]:
    """Simulate and insert one chunk of leads with their ledger rows and follow-ups."""
    sim = simulate.simulate_leads(rng, org, captured)
    led = simulate.stage_changes(rng, org, sim)
    fu = simulate.follow_ups(rng, org, sim)
    ids, numbers = numbering.take(captured)
    with transaction.atomic():
        leads = insert_rows(
            Lead._meta.db_table, *_rows(Lead, lead_values(rng, org, names, sim, fu, ids, numbers))
        )
        changes = insert_rows(
            StageChange._meta.db_table, *_rows(StageChange, ledger_values(org, led, ids))
        )
        follow = insert_rows(FollowUp._meta.db_table, *_rows(FollowUp, follow_up_values(fu, ids)))
    return {"leads": leads, "stage_changes": changes, "follow_ups": follow}
