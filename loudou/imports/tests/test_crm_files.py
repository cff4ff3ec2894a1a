"""Issue 12: a file exported from another CRM or kept as a spreadsheet imports without
being edited: English and Chinese headers are recognised, each column's values are mapped
(suggested by similarity, saved for the next file), several date columns give the real
stage history, closed deals without contact details are kept as flagged history, and rows
alike but for an unmapped id are all imported."""

import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from loudou.imports import services
from loudou.imports.mapping import suggest
from loudou.imports.models import ImportRow, ValueMapping
from loudou.imports.services.values import suggest as suggest_value
from loudou.imports.services.values import value_table
from loudou.leads.models import Lead
from loudou.org.choices import Role
from loudou.org.models import ProductLine
from loudou.org.tests.factories import UserFactory
from loudou.pipeline.models import LostReason, Stage, StageChange

CRM = (
    "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n"
    "1C1I7A6R,Moses Frase,GTX Plus Basic,Cancity,Won,2016-10-20,2017-03-01,1054\n"
    "Z063OYW0,Darcel Schlecht,GTXPro,Isdom,Lost,2016-10-25,2017-03-11,0\n"
    "EC4QE1BX,Darcel Schlecht,MG Special,Cancity,Engaging,2016-10-25,,\n"
    "MV1LWRNH,Moses Frase,GTX Basic,Codehow,Prospecting,,,\n"
)
TZ = ZoneInfo("Asia/Shanghai")


def _day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def agents(team_a, manager):
    """The sales agents of the file, as users of this system (by display name)."""
    return {
        "Moses Frase": UserFactory(
            username="mfrase", display_name="Moses Frase", role=Role.SENIOR_REP, team=team_a
        ),
        "Darcel Schlecht": UserFactory(
            username="dschlecht", display_name="Darcel Schlecht", role=Role.JUNIOR_REP, team=team_a
        ),
    }


def _upload(user, text=CRM, encoding="utf-8", name="sales_pipeline.csv"):
    upload = io.BytesIO(text.encode(encoding))
    return services.create_job(actor=user, upload=upload, original_name=name)


def _stage(code: str) -> Stage:
    return Stage.objects.get(pipeline__is_default=True, code=code)


def _ledger(lead: Lead) -> list[tuple]:
    rows = StageChange.objects.filter(lead=lead).order_by("at", "id")
    return [
        (c.from_stage.code if c.from_stage else None, c.to_stage.code, c.at.astimezone(TZ).date())
        for c in rows
    ]


def _lead(job, line: int) -> Lead:
    return Lead.objects.get(pk=ImportRow.objects.get(job=job, line=line).lead_id)


def test_english_and_chinese_crm_headers_are_mapped_whatever_their_case_and_spacing(db):
    # given: the CRM export's headers, and their Chinese and spaced spellings
    english = [
        "opportunity_id",
        "Sales Agent",
        "product",
        "ACCOUNT",
        "deal_stage",
        "engage_date",
        "close_date",
        "close_value",
    ]
    chinese = ["编号", "负责人", "产品", "公司名称", "阶段", "接触日期", "成交日期", "成交金额"]
    # when
    mapped = [suggest(english), suggest(chinese)]
    # then
    fields = [
        "external_id",
        "owner",
        "products",
        "company_name",
        "stage",
        "entered:contacted",
        "closed_at",
        "amount",
    ]
    assert mapped == [
        dict(zip(english, fields, strict=True)),
        dict(zip(chinese, fields, strict=True)),
    ]
    assert suggest(["owner", "销售员", "amount", "金额", "状态"]) == {
        "owner": "owner",
        "amount": "amount",
        "状态": "stage",
    }


def test_values_are_suggested_by_similarity_to_names_english_names_and_pinyin(manager, agents):
    # given: the targets of the stage, owner and lost-reason columns
    zhang = UserFactory(username="zw", display_name="张伟", role=Role.SENIOR_REP, team=manager.team)
    from loudou.imports.services.values import options

    stages, owners = options("stage", manager), options("owner", manager)
    reasons = options("lost_reason", manager)
    # when
    got = {
        "Won": suggest_value("Won", stages),
        "Lost": suggest_value("Lost", stages),
        "Engaging": suggest_value("Engaging", stages),
        "Prospecting": suggest_value("Prospecting", stages),
        "opportunity": suggest_value("opportunity", stages),
        "Moses Frase": suggest_value("Moses Frase", owners),
        "moses frase": suggest_value("moses frase", owners),
        "Frase Moses": suggest_value("Frase Moses", owners),
        "Darcel Schlect": suggest_value("Darcel Schlect", owners),  # a typo
        "Zhang Wei": suggest_value("Zhang Wei", owners),
        "Price too high": suggest_value("Price too high", reasons),
        "Someone Else": suggest_value("Someone Else", owners),
    }
    # then
    assert got == {
        "Won": str(_stage("signed").pk),
        "Lost": str(_stage("abandoned").pk),
        "Engaging": str(_stage("contacted").pk),
        "Prospecting": str(_stage("resource").pk),
        "opportunity": str(_stage("opportunity").pk),
        "Moses Frase": str(agents["Moses Frase"].pk),
        "moses frase": str(agents["Moses Frase"].pk),
        "Frase Moses": str(agents["Moses Frase"].pk),
        "Darcel Schlect": str(agents["Darcel Schlecht"].pk),
        "Zhang Wei": str(zhang.pk),
        "Price too high": str(LostReason.objects.get(name="价格过高").pk),
        "Someone Else": None,
    }


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_a_crm_export_imports_with_the_real_stage_path_of_each_deal(encoding, manager, agents):
    # given: the export as it is (UTF-8 or GBK), mapped as suggested; the user maps
    # "Engaging" to 意向客户(商机) and the engage date to entering it, a product by hand
    product = ProductLine.objects.get(name="企业版")
    job = _upload(manager, CRM.replace("Cancity,Won", "Cancity 公司,Won"), encoding)
    mapping = {**job.mapping, "engage_date": "entered:opportunity"}
    job = services.set_mapping(
        actor=manager,
        job=job,
        mapping=mapping,
        values={
            "deal_stage": {  # by code, English name, name and id
                "Won": "signed",
                "Lost": "Abandoned",
                "Engaging": "意向客户(商机)",
                "Prospecting": str(_stage("resource").pk),
            },
            "product": {"GTX Plus Basic": product.name, "GTXPro": "", "MG Special": ""}
            | {"GTX Basic": ""},
        },
    )
    # when
    job = services.run_job(job=job)
    # then
    won, lost, engaging, prospecting = (_lead(job, line) for line in (2, 3, 4, 5))
    assert (job.status, job.total, job.imported, job.rejected, job.duplicates) == (
        "done",
        4,
        4,
        0,
        0,
    )
    assert job.encoding == ("utf-8-sig" if encoding == "utf-8" else "gb18030")
    assert won.company_name == "Cancity 公司"
    assert _ledger(won) == [
        (None, "resource", _day("2016-10-20").date()),
        ("resource", "opportunity", _day("2016-10-20").date()),
        ("opportunity", "signed", _day("2017-03-01").date()),
    ]
    assert _ledger(lost) == [
        (None, "resource", _day("2016-10-25").date()),
        ("resource", "opportunity", _day("2016-10-25").date()),
        ("opportunity", "abandoned", _day("2017-03-11").date()),
    ]
    assert StageChange.objects.get(lead=lost, to_stage__code="abandoned").lost_reason.name == "其他"
    assert (won.amount, list(won.products.values_list("name", flat=True))) == (1054, ["企业版"])
    assert (won.owner, lost.owner) == (agents["Moses Frase"], agents["Darcel Schlecht"])
    assert (won.is_valid, won.is_historical, won.status) == (True, True, "converted")
    assert (lost.is_valid, lost.is_historical, lost.status) == (True, True, "lost")
    assert won.captured_at == _day("2016-10-20")  # its earliest date: no capture column
    for open_lead in (engaging, prospecting):  # open deals still need a contact method
        assert (open_lead.is_valid, open_lead.is_historical, open_lead.stage) == (
            False,
            False,
            None,
        )
        assert open_lead.invalid_reason == "无任何有效联系方式"
        assert _ledger(open_lead) == []
    warnings = dict(ImportRow.objects.filter(job=job).values_list("line", "warning"))
    assert warnings == {
        2: "无任何有效联系方式：已结束的商机，作为历史记录导入。",
        3: "无任何有效联系方式：已结束的商机，作为历史记录导入。",
        4: "无任何有效联系方式：作为无效线索导入，未进入销售漏斗。",
        5: "无任何有效联系方式：作为无效线索导入，未进入销售漏斗。",
    }
    assert job.warned == 4


def test_a_lost_deal_that_was_engaged_counts_as_having_reached_the_engaged_stage(
    manager, agents, director
):
    # given: the export imported with the suggestions (engage date → 已接触)
    from loudou.analytics.services.funnel import funnel
    from loudou.analytics.services.scope import Scope

    job = _upload(manager)
    products = {"GTX Plus Basic": "", "GTXPro": "", "MG Special": "", "GTX Basic": ""}
    job = services.set_mapping(
        actor=manager, job=job, mapping=job.mapping, values={"product": products}
    )
    job = services.run_job(job=job)
    # when
    scope = Scope.build(director, start=_day("2016-01-01").date(), end=_day("2017-12-31").date())
    result = funnel(scope)
    # then
    reached = {row["code"]: row["reached"] for row in result["stages"]}
    assert job.value_mapping["deal_stage"] == {
        "Won": str(_stage("signed").pk),
        "Lost": str(_stage("abandoned").pk),
        "Engaging": str(_stage("contacted").pk),
        "Prospecting": str(_stage("resource").pk),
    }
    assert reached == {
        "resource": 2,
        "graded": 2,
        "contacted": 2,
        "lead_customer": 1,
        "opportunity": 1,
        "signed": 1,
        "implemented": 0,
        "abandoned": 1,
    }
    assert (result["totals"]["won"], result["totals"]["lost"]) == (1, 1)


def test_an_open_deal_with_a_contact_method_enters_the_funnel_at_its_dates(manager, agents):
    # given: an engaged deal with an e-mail address, captured on its own date
    text = (
        "account,email,deal_stage,created,engage_date,sales_agent\n"
        "Cancity,buyer@cancity.example,Engaging,2024-01-02,2024-01-09,Moses Frase\n"
    )
    job = _upload(manager, text)
    # when
    job = services.run_job(job=services.set_mapping(actor=manager, job=job, mapping=job.mapping))
    # then
    lead = _lead(job, 2)
    assert (lead.is_valid, lead.is_historical, lead.stage.code) == (True, False, "contacted")
    assert _ledger(lead) == [
        (None, "resource", _day("2024-01-02").date()),
        ("resource", "contacted", _day("2024-01-09").date()),
    ]
    assert ImportRow.objects.get(job=job).warning == ""


def test_a_deal_dated_before_its_first_contact_is_imported_with_a_warning(manager, agents):
    # given: won two days before the first contact
    text = (
        "account,first_contact_date,deal_stage,won_date\n"
        "Early Bird Ltd,2018-03-08,Won,2018-03-06 19:38:55\n"
    )
    job = _upload(manager, text)
    # when
    job = services.run_job(job=services.set_mapping(actor=manager, job=job, mapping=job.mapping))
    # then: the won row is dated at the first contact, so the ledger never goes back
    lead = _lead(job, 2)
    row = ImportRow.objects.get(job=job)
    assert (job.imported, job.rejected, row.outcome) == (1, 0, "imported")
    assert [(a, b, at) for a, b, at in _ledger(lead)] == [
        (None, "resource", _day("2018-03-08").date()),
        ("resource", "signed", _day("2018-03-08").date()),
    ]
    assert row.warning == (
        "无任何有效联系方式：已结束的商机，作为历史记录导入。; "
        "“签约客户”的日期 2018-03-06 19:38 早于上一步（2018-03-08 00:00），"
        "按 2018-03-08 00:00 记录。"
    )


def test_rows_alike_but_for_an_unmapped_id_are_all_imported_and_a_mapped_id_keys_them(
    manager, agents
):
    # given: two deals alike in every mapped column; the id column is ignored, then mapped
    text = (
        "opportunity_id,account,deal_stage,close_date,close_value\n"
        "A1,Isdom,Won,2017-01-05,500\n"
        "A2,Isdom,Won,2017-01-05,500\n"
        "A2,Isdom,Won,2017-01-05,500\n"
    )
    ignored = _upload(manager, text)
    mapping = {**ignored.mapping, "opportunity_id": ""}
    # when
    ignored = services.run_job(
        job=services.set_mapping(actor=manager, job=ignored, mapping=mapping)
    )
    again = _upload(manager, text)
    again = services.run_job(job=services.set_mapping(actor=manager, job=again, mapping=mapping))
    keyed = _upload(manager, text)
    keyed = services.run_job(
        job=services.set_mapping(actor=manager, job=keyed, mapping=keyed.mapping)
    )
    # then: without the id, three deals (and the same file again adds nothing);
    # with it, two deals and the repeated id skipped with the reason
    outcomes = [
        list(ImportRow.objects.filter(job=j).order_by("line").values_list("outcome", "reason"))
        for j in (ignored, again, keyed)
    ]
    assert keyed.mapping["opportunity_id"] == "external_id"
    assert outcomes == [
        [("imported", "")] * 3,
        [("duplicate", "这一行已导入过，未重复导入。")] * 3,
        [
            ("imported", ""),
            ("imported", ""),
            ("duplicate", "外部编号“A2”已导入过，未重复导入。"),
        ],
    ]
    assert (ignored.imported, again.duplicates, keyed.imported, keyed.duplicates) == (3, 3, 2, 1)
    assert Lead.objects.count() == 5
    assert _lead(keyed, 4) == _lead(keyed, 3)
    assert "外部编号：A1" in _lead(keyed, 2).notes


def test_a_value_the_mapping_does_not_name_is_refused_with_the_reason(manager, agents):
    # given: a stage value nobody mapped and no stage is called
    text = "account,deal_stage,close_date\nIsdom,Closed Pending,2017-01-05\n"
    job = _upload(manager, text)
    job = services.set_mapping(actor=manager, job=job, mapping=job.mapping)
    # when
    job = services.run_job(job=job)
    # then
    row = ImportRow.objects.get(job=job)
    assert job.value_mapping == {"deal_stage": {}}
    assert (row.outcome, row.reason) == ("rejected", "阶段：未知的阶段：Closed Pending")
    assert Lead.objects.count() == 0


def test_a_saved_value_mapping_is_suggested_for_the_next_file(manager, agents):
    # given: the first upload, where the user maps "Engaging" to 线索客户 and an agent by hand
    first = _upload(manager)
    lead_customer = str(_stage("lead_customer").pk)
    services.set_mapping(
        actor=manager,
        job=first,
        mapping=first.mapping,
        values={
            "deal_stage": {"Engaging": lead_customer},
            "sales_agent": {"Moses Frase": "dschlecht"},
        },
    )
    # when: a second file of the same kind
    second = _upload(manager, CRM, "gbk", "next.csv")
    second = services.set_mapping(actor=manager, job=second, mapping=second.mapping)
    # then
    darcel = str(agents["Darcel Schlecht"].pk)
    assert second.value_mapping["deal_stage"] == {
        "Won": str(_stage("signed").pk),
        "Lost": str(_stage("abandoned").pk),
        "Engaging": lead_customer,
        "Prospecting": str(_stage("resource").pk),
    }
    assert second.value_mapping["sales_agent"] == {"Moses Frase": darcel, "Darcel Schlecht": darcel}
    saved = ValueMapping.objects.filter(user=manager, kind="leads", field="stage")
    assert dict(saved.values_list("raw", "target")) == second.value_mapping["deal_stage"]


def test_distinct_values_come_from_the_whole_file_and_stop_at_the_limit(manager, agents):
    # given: 250 rows, the stage column repeating 4 values, the account column all distinct
    stages = ["Won", "Lost", "Engaging", "Prospecting"]
    lines = [f"Account {n},{stages[n % 4] if n < 240 else 'Late Stage'}" for n in range(250)]
    job = _upload(manager, "account,deal_stage\n" + "\n".join(lines) + "\n")
    # when
    table = value_table(job, manager)
    # then
    assert job.distinct["deal_stage"] == {"values": [*stages, "Late Stage"], "more": False}
    assert len(job.distinct["account"]["values"]) == 200
    assert job.distinct["account"]["more"] is True
    assert [(c["column"], c["field"], [v["value"] for v in c["values"]]) for c in table] == [
        ("deal_stage", "stage", [*stages, "Late Stage"])
    ]


def test_the_mapping_page_shows_one_select_per_value_and_applies_the_choices(
    client, manager, agents
):
    # given
    client.force_login(manager)
    job = _upload(manager)
    url = reverse("imports:detail", args=[job.pk])
    page = client.get(url).content.decode()
    columns = {f"col_{i}": job.mapping.get(h, "") for i, h in enumerate(job.headers)}
    stage_column = job.headers.index("deal_stage")
    stage_values = job.distinct["deal_stage"]["values"]
    chosen = {
        f"val_{stage_column}_{i}": str(_stage(code).pk)
        for i, code in enumerate(["signed", "abandoned", "lead_customer", "resource"])
    }
    assert stage_values == ["Won", "Lost", "Engaging", "Prospecting"]
    # when
    response = client.post(url, {**columns, **chosen, "owner": manager.pk})
    # then
    job.refresh_from_db()
    assert 'id="values-4"' in page
    assert f'name="val_{stage_column}_2"' in page
    assert 'value="-">（留空）' in page
    assert response.status_code == 200
    assert 'id="preview"' in response.content.decode()
    assert job.value_mapping["deal_stage"]["Engaging"] == str(_stage("lead_customer").pk)


def test_the_api_lists_the_values_and_takes_them_by_name_and_hides_others_jobs(
    client, manager, agents, other_manager
):
    # given
    job = _upload(manager)
    client.force_login(manager)
    values_url = f"/api/imports/{job.pk}/values"
    # when
    listed = client.get(values_url)
    posted = client.post(
        f"/api/imports/{job.pk}/mapping",
        {
            "mapping": job.mapping,
            "values": {"deal_stage": {"Engaging": "意向客户(商机)", "Won": "Signed"}},
        },
        content_type="application/json",
    )
    bad = client.post(
        f"/api/imports/{job.pk}/mapping",
        {"mapping": job.mapping, "values": {"deal_stage": {"Won": "No Such Stage"}}},
        content_type="application/json",
    )
    client.force_login(other_manager)
    hidden = [
        client.get(values_url).status_code,
        client.post(
            f"/api/imports/{job.pk}/mapping", {"values": {}}, content_type="application/json"
        ).status_code,
    ]
    # then
    stage_column = next(c for c in listed.json() if c["column"] == "deal_stage")
    assert listed.status_code == 200
    assert [(v["value"], v["target"]) for v in stage_column["values"]] == [
        ("Won", str(_stage("signed").pk)),
        ("Lost", str(_stage("abandoned").pk)),
        ("Engaging", str(_stage("contacted").pk)),
        ("Prospecting", str(_stage("resource").pk)),
    ]
    assert posted.status_code == 200
    assert posted.json()["values"]["deal_stage"] == {
        "Engaging": str(_stage("opportunity").pk),
        "Won": str(_stage("signed").pk),
    }
    assert bad.status_code == 422
    assert "No Such Stage" in bad.json()["errors"]["mapping"][0]
    assert hidden == [404, 404]


def test_the_cli_reads_value_mappings_from_the_mapping_file(admin_user, agents, tmp_path):
    # given
    path = tmp_path / "pipeline.csv"
    path.write_bytes(CRM.encode("gbk"))
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {
                "columns": {
                    "account": "company_name",
                    "deal_stage": "stage",
                    "close_date": "closed_at",
                    "sales_agent": "owner",
                },
                "values": {
                    "deal_stage": {
                        "Won": "签约客户",
                        "Lost": "放弃",
                        "Engaging": "已接触",
                        "Prospecting": "",
                    }
                },
            }
        ),
        "utf-8",
    )
    out = io.StringIO()
    # when
    call_command("import", str(path), mapping=str(mapping), stdout=out)
    # then
    leads = Lead.objects.order_by("number")
    assert "imported 4" in out.getvalue()
    assert "values of deal_stage" in out.getvalue()
    assert list(leads.values_list("company_name", "stage__code", "owner__username")) == [
        ("Cancity", "signed", "mfrase"),
        ("Isdom", "abandoned", "dschlecht"),
        ("Cancity", None, "dschlecht"),
        ("Codehow", None, "mfrase"),
    ]
