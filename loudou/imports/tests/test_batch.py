"""The batched import path gives exactly what the row-by-row path gives: the same leads
(fields, grades, numbers, owners, customers, contacts), the same audit events, the same
stage ledger and the same row outcomes. Each comparison runs the row-by-row path inside
a rolled-back savepoint (so lead numbers restart), then the batched path on the same
input, with the clock frozen."""

import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from loudou.core.models import Event
from loudou.customers.models import Contact, Customer
from loudou.imports import services
from loudou.imports.models import ImportRow
from loudou.leads.models import DedupePolicy, Lead
from loudou.leads.services import register_lead
from loudou.leads.services.bulk import LeadBatch
from loudou.org.models import Industry, Region
from loudou.pipeline.models import StageChange

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SKIPPED = {"id", "customer", "contact"}


class Rollback(Exception):
    pass


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _events(obj) -> list[tuple]:
    kind = ContentType.objects.get_for_model(obj)
    rows = Event.objects.filter(content_type=kind, object_id=obj.pk).order_by("id")
    return [(e.verb, e.changes, e.reason, e.actor_id) for e in rows]


def _plain(obj, skipped=SKIPPED) -> dict:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.name not in skipped and f.attname not in skipped
    }


def _state() -> list[dict]:
    """Everything registration writes, per lead in number order, without database ids."""
    out = []
    for lead in Lead.objects.order_by("number"):
        customer = Customer.objects.get(pk=lead.customer_id)
        contact = Contact.objects.filter(pk=lead.contact_id).first()
        ledger = StageChange.objects.filter(lead=lead).order_by("id")
        out.append(
            {
                "lead": _plain(lead),
                "products": sorted(lead.products.values_list("name", flat=True)),
                "customer": _plain(customer),
                "contact": _plain(contact, SKIPPED | {"customer_id"}) if contact else None,
                "events": _events(lead),
                "customer_events": _events(customer),
                "contact_events": _events(contact) if contact else None,
                "ledger": [_plain(c, {"id", "lead"}) for c in ledger],
            }
        )
    return out


def _row_by_row(make) -> list[dict]:
    """What `make` writes, read back before it is rolled back."""
    state: list[dict] = []
    try:
        with transaction.atomic():
            make()
            state.extend(_state())
            raise Rollback
    except Rollback:
        pass
    return state


INPUTS = [
    {"company_name": "杭州数智科技有限公司", "contact_name": "张三", "phone": "138 1234 5678"},
    {"company_name": "数智科技", "email": "Li@Example.com", "need_level": "explicit"},
    {"company_name": "无联系方式公司", "contact_name": "王五", "notes": "  空白  "},
    {
        "company_name": "上海甲乙制造股份有限公司",
        "phone": "13812345678",
        "wechat": "wx_abcdef",
        "employees": 300,
        "need_level": "explicit",
        "budget_fit": "fits",
        "decision_cycle": "1m",
        "customer_type": "trial",
    },
]


@pytest.mark.parametrize("who", ["rep", "marketing"])
def test_a_batch_registers_the_same_leads_as_register_lead(who, request, db, frozen):
    # given: four sheets, among them a duplicate phone, a similar name and an invalid lead
    actor = request.getfixturevalue(who)
    industry, region = Industry.objects.first(), Region.objects.first()
    inputs = [dict(v) for v in INPUTS]
    inputs[3] |= {"industry": industry, "region": region}

    def one_by_one():
        for values in inputs:
            register_lead(actor=actor, values=dict(values), via="import", on_duplicate="keep")

    expected = _row_by_row(one_by_one)
    # when
    batch = LeadBatch(actor=actor, via="import", rows=inputs, on_duplicate="keep")
    for values in inputs:
        batch.accept(batch.plan(values=dict(values)))
    batch.write()
    # then
    assert _state() == expected
    assert len(expected) == 4
    assert [x["lead"]["number"] for x in expected] == [f"LX2026{n:06d}" for n in (1, 2, 3, 4)]
    assert [x["lead"]["intent_grade"] for x in expected] == ["C", "C", "C", "A"]
    kept = [[e for e in x["events"] if e[0] == "lead.duplicates_kept"] for x in expected]
    assert [len(k) for k in kept] == [0, 1, 0, 1]
    assert [len(x["ledger"]) for x in expected] == [1, 1, 0, 1]


CSV = (
    "公司名称,联系人,手机,邮箱,需求明确度,录入时间,阶段,进入阶段时间,成交/放弃日期,放弃原因,"
    "金额,产品线,负责人\n"
    "甲公司,张三,13812345678,,明确需求,2025-01-05,已接触,2025-02-01,,,50000,标准版、企业版,\n"
    "乙公司,李四,13812345679,b@example.com,,2025-01-06,签约客户,2025-03-01,2025-03-03,,"
    "80000,实施服务,teammate\n"
    "丙公司,王五,13812345670,,,2025-01-07,放弃,,2025-02-10,,,,\n"
    "丁公司,赵六,13812345671,,,2025-01-08,放弃,,2025-02-10,价格过高,,,\n"
    "甲公司,张三三,13812345678,,,2025-01-09,,,,,,,\n"
    "戊公司,,12345,,,,,,,,,,\n"
    "己公司,钱七,13812345673,,,2025-05-01,已接触,2025-04-01,,,,,\n"
    "庚公司,孙八,,,,,,,,,,,\n"
    "庚公司,孙八,,,,,已接触,,,,,,\n"
    "甲公司,张三,13812345678,,明确需求,2025-01-05,已接触,2025-02-01,,,50000,标准版、企业版,\n"
    "辛公司,周九,13812345672,,,,未知阶段,,,,,,\n"
)


def _job(user, *, to_pool=False):
    job = services.create_job(actor=user, upload=io.BytesIO(CSV.encode()), original_name="a.csv")
    return services.set_mapping(
        actor=user, job=job, mapping=job.mapping, owner=None if to_pool else user, to_pool=to_pool
    )


def _rows(job) -> list[tuple]:
    rows = ImportRow.objects.filter(job=job).select_related("lead").order_by("line")
    return [
        (r.line, r.outcome, r.reason, r.lead.number if r.lead else None, r.warning) for r in rows
    ]


@pytest.mark.parametrize(("rule", "to_pool"), [("warn", False), ("block", False), ("warn", True)])
def test_a_batched_import_equals_the_row_by_row_import(rule, to_pool, manager, teammate, frozen):
    # given: stages, won and lost dates, amounts, products, an owner column, duplicates in
    # the file, a repeated row, a stage dated before the capture, an open stage without a
    # contact, bad values; the duplicate rule warns or blocks
    DedupePolicy.objects.update_or_create(pk=1, defaults={"import_action": rule})
    outcome = {}

    def row_by_row():
        job = services.run_job(job=_job(manager, to_pool=to_pool), per_row=True, batch_size=4)
        outcome["rows"] = _rows(job)

    expected = _row_by_row(row_by_row)
    # when
    job = services.run_job(job=_job(manager, to_pool=to_pool), batch_size=4)
    # then
    assert (_rows(job), _state()) == (outcome["rows"], expected)
    outcomes = [o for _line, o, _reason, _number, _warning in outcome["rows"]]
    assert outcomes.count("duplicate") == 0  # the repeated row is a second deal (issue 12)
    assert outcomes.count("imported") == (9 if rule == "warn" else 6)
    warned = [(line, w[:6]) for line, _o, _r, _n, w in outcome["rows"] if w]
    assert warned == [(8, "“已接触”的"), (10, "无任何有效联")][: 2 if rule == "warn" else 1]
    lost = [x for x in expected if x["lead"]["status"] == "lost"]
    assert len(lost) == 2
    assert all(len(x["ledger"]) == 2 for x in lost)


def test_preview_reports_what_the_run_does(rep, frozen):
    # given
    job = _job(rep)
    # when
    preview = services.preview(job=job)
    job = services.run_job(job=job)
    # then
    assert [(r["line"], r["outcome"], r["reason"], r["warning"]) for r in preview] == [
        (line, outcome, reason, warning) for line, outcome, reason, _number, warning in _rows(job)
    ]


def test_the_batch_similarity_is_dedupes_company_similarity():
    # given: dedupe's tables of variants and near-misses, Latin and mixed names
    from loudou.leads.dedupe import company_similarity
    from loudou.leads.services.bulk import similar, similarity
    from loudou.leads.tests.test_dedupe import BASE, MUST_MATCH, MUST_NOT_MATCH

    names = [BASE, *MUST_MATCH, *(n for pair in MUST_NOT_MATCH for n in pair), "", "有限公司"]
    names += ["Acme 科技", "北京Acme", "上海分公司", "(中国)", "Shanghai Mingda Trading"]
    # when / then
    for a in names:
        for b in names:
            expected = company_similarity(a, b)
            assert similarity(a, b) == expected, (a, b)
            assert similarity(a, b, 90) == (expected if expected >= 90 else 0.0), (a, b)
        # and one name against all of them at once (the batch's duplicate check)
        for cutoff in (60, 90):
            scores = [(i, company_similarity(a, b)) for i, b in enumerate(names)]
            assert similar(a, names, cutoff) == [(i, x) for i, x in scores if x >= cutoff], a


def test_a_batch_reads_as_many_company_candidates_as_the_row_by_row_check(
    manager, frozen, monkeypatch
):
    # given at most 3 candidates per company-key prefix, 4 stored leads and a file of 5
    # more with names of the same prefix (stored first, then the file's own rows count)
    from loudou.leads import dedupe
    from loudou.leads.services import bulk
    from loudou.leads.tests.factories import make_lead

    monkeypatch.setattr(dedupe, "MAX_CANDIDATES", 3)
    monkeypatch.setattr(bulk, "MAX_CANDIDATES", 3)
    DedupePolicy.objects.update_or_create(pk=1, defaults={"import_action": "warn"})
    for n, name in enumerate(["华泰恒远科技", "华泰恒远科技公司", "杭州华泰恒远科技", "华泰恒远"]):
        make_lead(actor=manager, owner=manager, company_name=name, phone=f"1370000000{n}")
    names = ["华泰恒远科技有限公司", "上海华泰恒远科技", "华泰恒远科技集团", "华泰恒远", "华泰恒"]
    text = "公司名称,手机\n" + "".join(f"{x},1380000000{n}\n" for n, x in enumerate(names))

    def job():
        upload = io.BytesIO(text.encode())
        created = services.create_job(actor=manager, upload=upload, original_name="b.csv")
        return services.set_mapping(actor=manager, job=created, mapping=created.mapping)

    outcome = {}

    def row_by_row():
        outcome["rows"] = _rows(services.run_job(job=job(), per_row=True, batch_size=5))

    expected = _row_by_row(row_by_row)
    # when the file is imported in one batch
    rows = _rows(services.run_job(job=job(), batch_size=5))
    # then each row was checked against the same 3 newest candidates, with the same scores
    assert (rows, _state()) == (outcome["rows"], expected)
    kept = [e for x in expected[4:] for e in x["events"] if e[0] == "lead.duplicates_kept"]
    assert len(kept) == 3  # rows found stored leads and earlier rows of the file


def test_leads_a_rep_imports_under_their_own_name_are_credited_to_them(rep, manager, frozen):
    # given: a rep imports for themselves; a manager imports another file for the rep
    from loudou.assignment.choices import AssignVia
    from loudou.assignment.models import Assignment

    own = services.run_job(job=_job(rep))
    other = "公司名称,联系人,手机\n壬星辰软件有限公司,吴十,13912345670\n"
    job = services.create_job(
        actor=manager, upload=io.BytesIO(other.encode()), original_name="b.csv"
    )
    for_rep = services.run_job(
        job=services.set_mapping(actor=manager, job=job, mapping=job.mapping, owner=rep)
    )
    # when
    credited = Assignment.objects.filter(via=AssignVia.SELF_SOURCED)
    # then: one credit per lead the rep imported; none for the lead the manager imported
    imported = ImportRow.objects.filter(outcome="imported")
    own_leads = sorted(imported.filter(job=own).values_list("lead", flat=True))
    managers = list(imported.filter(job=for_rep).values_list("lead", flat=True))
    assert own_leads
    assert len(managers) == 1
    assert sorted(credited.values_list("lead", flat=True)) == own_leads
    assert set(credited.values_list("user", flat=True)) == {rep.pk}


CRM = (
    "opportunity_id,sales_agent,account,deal_stage,created,engage_date,close_date,close_value,"
    "email\n"
    "A1,teammate,Cancity,Won,,2016-10-20,2017-03-01,1054,\n"
    "A2,teammate,Isdom,Lost,,2016-10-25,2017-03-11,0,\n"
    "A3,manager,Codehow,Engaging,2016-10-01,2016-10-25,,,x@codehow.example\n"
    "A4,manager,Betasoloin,Engaging,2016-11-01,2016-10-25,,,y@beta.example\n"
    "A5,manager,Hottechi,Prospecting,,,,,\n"
    "A6,teammate,Rundofase,Won,2017-04-01,2017-03-01,2017-02-01,10,\n"
    "A7,teammate,Rundofase,Won,2017-04-01,2017-03-01,2017-02-01,10,\n"
)


def _crm_job(user):
    job = services.create_job(actor=user, upload=io.BytesIO(CRM.encode()), original_name="c.csv")
    mapping = {**job.mapping, "opportunity_id": ""}
    return services.set_mapping(actor=user, job=job, mapping=mapping, owner=user)


def test_a_crm_export_imports_the_same_row_by_row_and_in_batches(manager, teammate, frozen):
    # given: value-mapped stages and owners, engage and close dates, closed deals without
    # contacts (history), open ones with and without, dates out of order, a repeated row
    outcome = {}

    def row_by_row():
        job = services.run_job(job=_crm_job(manager), per_row=True, batch_size=3)
        outcome["rows"] = _rows(job)

    expected = _row_by_row(row_by_row)
    # when
    job = services.run_job(job=_crm_job(manager), batch_size=3)
    # then
    assert (_rows(job), _state()) == (outcome["rows"], expected)
    assert [o for _line, o, _r, _n, _w in outcome["rows"]] == ["imported"] * 7
    ledgers = [[(c["from_stage_id"], c["at"]) for c in x["ledger"]] for x in expected]
    # in number order: captured 2016 (A1-A4), 2017 (A6, A7), then today (A5, no date)
    assert [len(ledger) for ledger in ledgers] == [3, 3, 2, 2, 3, 3, 0]
    pairs = [
        (a, b)
        for ledger in ledgers
        for (_s, a), (_t, b) in zip(ledger[:-1], ledger[1:], strict=True)
    ]
    assert all(a <= b for a, b in pairs)
    historical = [x["lead"]["is_historical"] for x in expected]
    assert historical == [True, True, False, False, True, True, False]
    assert job.warned == 6
