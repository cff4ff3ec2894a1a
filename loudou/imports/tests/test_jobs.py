"""Import jobs: mapping, permissions, preview, run, re-import, resume, revert, CLI."""

import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from loudou.imports import services
from loudou.imports.exceptions import ImportFileError
from loudou.imports.mapping import suggest
from loudou.imports.models import ImportJob, ImportRow
from loudou.leads.models import Lead
from loudou.pipeline.models import StageChange

CSV = (
    "公司名称,联系人,手机,邮箱,来源,备注\n"
    "上海甲科技有限公司,张三,13812345678,a@example.com,展会,老客户\n"
    "北京乙集团,李四,13900001111,,website,\n"
    ",王五,13700002222,,,没有公司名\n"
    "广州丙贸易公司,赵六,12345,,,电话不对\n"
    "深圳丁电子,钱七,13600003333,,,\n"
)


def _job(user, text=CSV, name="leads.csv", encoding="utf-8"):
    upload = io.BytesIO(text.encode(encoding))
    job = services.create_job(actor=user, upload=upload, original_name=name)
    return services.set_mapping(actor=user, job=job, mapping=job.mapping, owner=user)


def test_columns_are_suggested_from_chinese_and_english_headers():
    # given
    headers = ["企业名称", "Contact Name", "联系电话", "E-mail", "渠道", "WeChat", "无关列"]
    # when
    mapping = suggest(headers)
    # then
    assert mapping == {
        "企业名称": "company_name",
        "Contact Name": "contact_name",
        "联系电话": "phone",
        "E-mail": "email",
        "渠道": "source",
        "WeChat": "wechat",
    }


def test_a_saved_mapping_is_suggested_next_time(rep):
    # given
    job = services.create_job(actor=rep, upload=io.BytesIO(CSV.encode()), original_name="a.csv")
    mapping = {**job.mapping, "备注": "need_description"}
    services.set_mapping(actor=rep, job=job, mapping=mapping)
    # when
    again = services.create_job(actor=rep, upload=io.BytesIO(CSV.encode()), original_name="b.csv")
    # then
    assert again.mapping["备注"] == "need_description"


def test_a_rep_cannot_import_into_another_reps_name(rep, teammate):
    # given
    job = services.create_job(actor=rep, upload=io.BytesIO(CSV.encode()), original_name="a.csv")
    # when / then
    with pytest.raises(PermissionDenied):
        services.set_mapping(actor=rep, job=job, mapping=job.mapping, owner=teammate)
    job.refresh_from_db()
    assert job.owner is None
    assert Lead.objects.count() == 0


def test_a_malformed_upload_writes_nothing(rep, data_dir):
    # given
    upload = io.BytesIO("公司名称,手机\n".encode())
    # when
    with pytest.raises(ImportFileError) as caught:
        services.create_job(actor=rep, upload=upload, original_name="header-only.csv")
    # then
    assert caught.value.code == "no_rows"
    assert ImportJob.objects.count() == 0
    assert list((data_dir / "imports").iterdir()) == []


def test_the_preview_reports_each_row_and_writes_nothing(rep):
    # given
    job = _job(rep)
    # when
    rows = services.preview(job=job)
    # then
    assert [(r["line"], r["outcome"]) for r in rows] == [
        (2, "imported"),
        (3, "imported"),
        (4, "rejected"),
        (5, "rejected"),
        (6, "imported"),
    ]
    assert "公司名称" in rows[2]["reason"]
    assert Lead.objects.count() == 0
    assert ImportRow.objects.count() == 0
    job.refresh_from_db()
    assert (job.status, job.total) == ("previewed", 5)


def test_a_run_imports_valid_rows_and_records_rejections(rep):
    # given
    job = _job(rep)
    # when
    job = services.run_job(job=job)
    # then
    assert (job.status, job.total, job.imported, job.rejected) == ("done", 5, 3, 2)
    leads = Lead.objects.order_by("company_name")
    assert [(x.company_name, x.owner, x.source.code if x.source else None) for x in leads] == [
        ("上海甲科技有限公司", rep, "trade_show"),
        ("北京乙集团", rep, "website"),
        ("深圳丁电子", rep, None),
    ]
    rejected = ImportRow.objects.filter(job=job, outcome="rejected").order_by("line")
    assert [r.line for r in rejected] == [4, 5]
    assert rejected[1].values["公司名称"] == "广州丙贸易公司"


def test_importing_the_same_file_twice_changes_nothing(rep):
    # given
    services.run_job(job=_job(rep))
    before = list(Lead.objects.order_by("pk").values_list("pk", "updated_at"))
    # when
    second = services.run_job(job=_job(rep))
    # then
    assert (second.imported, second.duplicates, second.rejected) == (0, 3, 2)
    assert list(Lead.objects.order_by("pk").values_list("pk", "updated_at")) == before


def test_a_killed_run_resumes_to_exactly_the_rows_of_the_file(rep):
    # given: 5 valid rows, the run stopped after its first batch of 2
    text = "公司名称,手机\n" + "".join(f"公司{i},1380000000{i}\n" for i in range(5))
    job = _job(rep, text)
    stopped = services.run_job(job=job, batch_size=2, max_batches=1)
    assert (stopped.status, stopped.progress, Lead.objects.count()) == ("running", 2, 2)
    # when
    job = services.run_job(job=stopped, batch_size=2)
    # then
    assert (job.status, job.progress, job.imported) == ("done", 5, 5)
    assert sorted(Lead.objects.values_list("company_name", flat=True)) == [
        f"公司{i}" for i in range(5)
    ]
    assert ImportRow.objects.filter(job=job).count() == 5


def test_reverting_an_import_takes_its_leads_out_and_allows_a_new_import(rep):
    # given
    job = services.run_job(job=_job(rep))
    # when
    job = services.revert_job(actor=rep, job=job)
    # then
    assert job.status == "reverted"
    assert not Lead.objects.filter(is_valid=True).exists()
    assert set(Lead.objects.values_list("owner", "invalid_reason")) == {(None, "导入已撤销")}
    again = services.run_job(job=_job(rep))
    assert again.imported == 3


def test_only_the_importer_or_an_admin_may_revert(rep, teammate):
    # given
    job = services.run_job(job=_job(rep))
    # when / then
    with pytest.raises(PermissionDenied):
        services.revert_job(actor=teammate, job=job)
    assert Lead.objects.filter(is_valid=True).count() == 3


def test_a_mapped_stage_lands_in_the_ledger_at_its_time(rep):
    # given
    text = (
        "公司名称,手机,录入时间,阶段,进入阶段时间,金额\n"
        "甲公司,13812345678,2024-01-05,已接触,2024-02-01,50000\n"
    )
    job = _job(rep, text)
    # when
    job = services.run_job(job=job)
    # then
    lead = Lead.objects.get()
    assert job.imported == 1
    assert (
        lead.stage.code,
        str(timezone.localtime(lead.stage_entered_at).date()),
        lead.amount,
    ) == (
        "contacted",
        "2024-02-01",
        50000,
    )
    moves = StageChange.objects.filter(lead=lead).order_by("at")
    assert [(m.to_stage.code, m.via) for m in moves] == [
        ("resource", "import"),
        ("contacted", "import"),
    ]


def test_the_cli_imports_with_a_mapping_file_and_fails_when_nothing_imports(
    admin_user, rep, tmp_path
):
    # given
    path = tmp_path / "leads.csv"
    path.write_bytes(CSV.encode("gbk"))
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"公司名称": "company_name", "手机": "phone"}), "utf-8")
    out = io.StringIO()
    # when
    call_command("import", str(path), mapping=str(mapping), owner="rep", stdout=out)
    # then
    assert "imported 3" in out.getvalue()
    assert set(Lead.objects.values_list("owner__username", flat=True)) == {"rep"}
    bad = tmp_path / "bad.csv"
    bad.write_text("公司名称,手机\n,123\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import", str(bad), "--as", "rep", stdout=io.StringIO())


def test_the_background_task_runs_a_queued_job(rep, django_capture_on_commit_callbacks):
    # given
    from loudou.imports.tasks import run_import

    job = _job(rep)
    with django_capture_on_commit_callbacks(execute=True):
        services.start_job(actor=rep, job=job)
    # when
    processed = run_import.call(job.pk)
    # then
    job.refresh_from_db()
    assert (processed, job.status, job.imported, job.rejected) == (5, "done", 3, 2)


def test_a_finished_job_cannot_be_run_again(rep):
    # given
    job = services.run_job(job=_job(rep))
    # when / then
    with pytest.raises(ValidationError):
        services.start_job(actor=rep, job=job)
    assert Lead.objects.count() == 3


def test_an_import_into_the_pool_leaves_leads_and_customers_ownerless(rep):
    # given
    job = services.create_job(actor=rep, upload=io.BytesIO(CSV.encode()), original_name="a.csv")
    services.set_mapping(actor=rep, job=job, mapping=job.mapping, to_pool=True)
    # when
    job = services.run_job(job=job)
    # then
    assert job.imported == 3
    assert set(Lead.objects.values_list("owner", "customer__owner", "captured_by")) == {
        (None, None, rep.pk)
    }


def test_an_xlsx_with_typed_cells_imports(rep, data_dir):
    # given
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Company Name", "Mobile", "Employees", "Created"])
    sheet.append(["甲公司", 13812345678, 120, datetime(2024, 3, 5, 9, 30)])  # noqa: DTZ001 (Excel has no zone)
    path = data_dir / "leads.xlsx"
    book.save(path)
    # when
    with path.open("rb") as handle:
        job = services.create_job(actor=rep, upload=handle, original_name="leads.xlsx")
    services.set_mapping(actor=rep, job=job, mapping=job.mapping)
    job = services.run_job(job=job)
    # then
    lead = Lead.objects.get()
    assert job.imported == 1
    assert (lead.company_name, lead.phone, lead.employees) == ("甲公司", "+8613812345678", 120)
    assert timezone.localtime(lead.captured_at).strftime("%Y-%m-%d %H:%M") == "2024-03-05 09:30"


def test_the_cli_dry_run_writes_no_lead(admin_user, tmp_path):
    # given
    path = tmp_path / "leads.csv"
    path.write_text(CSV, encoding="utf-8")
    out = io.StringIO()
    # when
    call_command("import", str(path), "--dry-run", stdout=out)
    # then
    assert "nothing written" in out.getvalue()
    assert Lead.objects.count() == 0
