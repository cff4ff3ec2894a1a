"""What an upload may hold: bytes, rows, columns, line length, and .xlsx zip bombs; big
files analysed by the worker. A refused upload leaves no job and no file, and the API
and the page refuse it alike (422 with the message, the form's error)."""

import io
import os
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from openpyxl import Workbook

from loudou.imports import services
from loudou.imports.exceptions import ImportFileError
from loudou.imports.models import ImportJob
from loudou.imports.tasks import analyse_import
from loudou.org.services import issue_api_token

MB = 1024 * 1024
CSV = "公司名称,手机\n甲公司,13812345678\n乙公司,13900001111\n丙公司,13700002222\n"


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


def _workbook(path, rows=(("公司名称", "手机"), ("甲公司", "13812345678"))):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PARTS = {
    "[Content_Types].xml": f'<Types xmlns="{PACKAGE}/content-types"><Default Extension="rels" '
    f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override '
    f'PartName="/xl/workbook.xml" ContentType="{TYPES}.sheet.main+xml"/><Override '
    f'PartName="/xl/worksheets/sheet1.xml" ContentType="{TYPES}.worksheet+xml"/><Override '
    f'PartName="/xl/sharedStrings.xml" ContentType="{TYPES}.sharedStrings+xml"/></Types>',
    "_rels/.rels": f'<Relationships xmlns="{PACKAGE}/relationships"><Relationship Id="rId1" '
    f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{OFFICE}"><sheets><sheet name="S" '
    'sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{OFFICE}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>",
    "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" '
    't="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v>'
    '</c><c r="B2" t="s"><v>3</v></c></row></sheetData></worksheet>',
}
STRINGS = (
    "<si><t>公司名称</t></si><si><t>手机</t></si><si><t>甲公司</t></si><si><t>13812345678</t></si>"
)


def _bomb(path, padding: bytes = b"", size: int = 0, part: str = "xl/sharedStrings.xml"):
    """A workbook (公司名称, 手机; one row) whose shared-string table (`part`), which
    openpyxl reads whole, has one more string: `size` bytes of `padding`."""
    extra = b"<si><t>" + padding * (size // max(len(padding), 1)) + b"</t></si>"
    strings = f'<sst xmlns="{MAIN}">{STRINGS}'.encode() + extra + b"</sst>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text.replace("/xl/sharedStrings.xml", f"/{part}"))
        archive.writestr(part, strings)
    return path


def _refused(user, path_or_bytes, name, **options) -> ImportFileError:
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    with pytest.raises(ImportFileError) as caught:
        services.create_job(actor=user, upload=io.BytesIO(data), original_name=name, **options)
    return caught.value


def _nothing_left(data_dir) -> bool:
    return not ImportJob.objects.exists() and not any((data_dir / "imports").iterdir())


def test_a_zip_bomb_xlsx_is_refused_before_it_is_inflated(rep, data_dir):
    # given: 40 KB that inflate to 40 MB of shared strings
    path = _bomb(data_dir / "bomb.xlsx", b"A", 40 * MB)
    assert path.stat().st_size < 100 * 1024
    # when
    error = _refused(rep, path, "bomb.xlsx")
    # then
    assert error.code == "xlsx_ratio"
    assert (
        error.message == "该 Excel 文件的 xl/sharedStrings.xml 压缩比超过 100:1（疑似压缩炸弹）。"
    )
    path.unlink()
    assert _nothing_left(data_dir)


def test_the_crafted_workbook_without_its_padding_imports(rep, data_dir):
    # given
    path = _bomb(data_dir / "plain.xlsx")
    # when
    with path.open("rb") as handle:
        job = services.create_job(actor=rep, upload=handle, original_name="plain.xlsx")
    # then
    assert (job.status, job.headers, job.total) == ("uploaded", ["公司名称", "手机"], 1)


def test_the_api_and_the_page_refuse_a_zip_bomb_alike(client, rep, password, data_dir):
    # given
    data = _bomb(data_dir / "bomb.xlsx", b"A", 40 * MB).read_bytes()
    (data_dir / "bomb.xlsx").unlink()
    client.login(username="rep", password=password)
    # when
    api = client.post("/api/imports", {"file": SimpleUploadedFile("b.xlsx", data)}, **_auth(rep))
    page = client.post(reverse("imports:list"), {"file": SimpleUploadedFile("b.xlsx", data)})
    # then
    message = "该 Excel 文件的 xl/sharedStrings.xml 压缩比超过 100:1（疑似压缩炸弹）。"
    assert api.status_code == 422
    assert api.json() == {"errors": {"file": [f"[xlsx_ratio] {message}"]}}
    assert page.status_code == 200
    assert message in page.content.decode()
    assert _nothing_left(data_dir)


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "xl/worksheets/sheet2.xml"])
def test_a_large_shared_string_table_is_refused_even_when_it_compresses_poorly(
    rep, data_dir, settings, part
):
    # given: 2 MB of random hex (compresses about 2:1), over a 1 MB cap; the table is
    # found as openpyxl finds it, by its content type, whatever its name
    settings.LOUDOU_IMPORT_MAX_XLSX_SHARED_STRINGS = MB
    path = _bomb(data_dir / "strings.xlsx", os.urandom(MB).hex().encode(), 2 * MB, part)
    # when
    error = _refused(rep, path, "strings.xlsx")
    # then
    assert error.code == "xlsx_strings"
    assert error.message.startswith("该 Excel 文件的共享字符串表解压后有 2.0")
    path.unlink()
    assert _nothing_left(data_dir)


def test_an_xlsx_that_inflates_past_the_total_cap_is_refused(rep, data_dir, settings):
    # given
    settings.LOUDOU_IMPORT_MAX_XLSX_UNCOMPRESSED = 1000
    path = _workbook(data_dir / "leads.xlsx")
    # when
    error = _refused(rep, path, "leads.xlsx")
    # then
    assert error.code == "xlsx_too_large"
    assert "超过 1000" in error.message
    path.unlink()
    assert _nothing_left(data_dir)


def test_an_xlsx_with_too_many_parts_is_refused(rep, data_dir):
    # given
    path = data_dir / "parts.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(10_001):
            archive.writestr(f"p{i}", b"")
    # when
    error = _refused(rep, path, "parts.xlsx")
    # then
    assert (error.code, error.message) == (
        "xlsx_parts",
        "该 Excel 文件的内部文件过多（超过 10,000 个）。",
    )
    path.unlink()
    assert _nothing_left(data_dir)


def test_an_upload_over_the_byte_cap_is_refused_and_nothing_is_kept(
    client, rep, password, data_dir, settings
):
    # given
    settings.LOUDOU_IMPORT_MAX_BYTES = 100
    data = (CSV * 5).encode()
    client.login(username="rep", password=password)
    # when: a stream of unknown size, then uploads (whose size is known)
    streamed = _refused(rep, data, "big.csv")
    api = client.post("/api/imports", {"file": SimpleUploadedFile("b.csv", data)}, **_auth(rep))
    page = client.post(reverse("imports:list"), {"file": SimpleUploadedFile("b.csv", data)})
    # then
    message = "文件超过 100\xa0字节 的上限，未保存。"
    assert (streamed.code, streamed.message) == ("too_large", message)
    assert (api.status_code, api.json()) == (422, {"errors": {"file": [f"[too_large] {message}"]}})
    assert message in page.content.decode()
    assert _nothing_left(data_dir)


def test_a_file_with_more_rows_than_the_cap_is_refused_whole(client, rep, data_dir, settings):
    # given
    settings.LOUDOU_IMPORT_MAX_ROWS = 2
    # when
    error = _refused(rep, CSV.encode(), "leads.csv")
    api = client.post(
        "/api/imports", {"file": SimpleUploadedFile("a.csv", CSV.encode())}, **_auth(rep)
    )
    # then
    message = "文件超过 2 行数据的上限，整个文件未导入（请拆分成几个文件）。"
    assert (error.code, error.message) == ("too_many_rows", message)
    assert (api.status_code, api.json()) == (
        422,
        {"errors": {"file": [f"[too_many_rows] {message}"]}},
    )
    assert _nothing_left(data_dir)


def test_a_csv_of_one_enormous_line_is_refused_at_once(client, rep, data_dir):
    # given: 20 MB, not a single line break
    data = "甲公司,13812345678,".encode() * (20 * MB // 24)
    # when
    api = client.post("/api/imports", {"file": SimpleUploadedFile("a.csv", data)}, **_auth(rep))
    # then
    assert api.status_code == 422
    assert api.json()["errors"]["file"] == [
        "[line_too_long] 第 1 行超过 4,194,304 个字符的上限（文件可能缺少换行符）。"
    ]
    assert _nothing_left(data_dir)


def test_a_header_with_too_many_columns_is_refused(rep, data_dir):
    # given: the mapping page renders one select per column
    data = (",".join(f"列名{i}" for i in range(201)) + "\n" + "x," * 201 + "\n").encode()
    # when
    error = _refused(rep, data, "wide.csv")
    # then
    assert (error.code, error.message) == ("too_many_columns", "表头有 201 列，超过 200 列的上限。")
    assert _nothing_left(data_dir)


def test_blank_cells_after_the_last_header_are_not_columns(rep):
    # given
    data = ("公司名称,手机" + "," * 500 + "\n甲公司,13812345678\n").encode()
    # when
    job = services.create_job(actor=rep, upload=io.BytesIO(data), original_name="a.csv")
    # then
    assert (job.headers, job.total) == (["公司名称", "手机"], 1)


def test_the_preview_dry_runs_the_kept_rows_without_opening_the_file(rep):
    # given
    job = services.create_job(actor=rep, upload=io.BytesIO(CSV.encode()), original_name="a.csv")
    job = services.set_mapping(actor=rep, job=job, mapping=job.mapping, owner=rep)
    Path(job.file).unlink()
    # when
    rows = services.preview(job=job)
    # then
    assert [(r["line"], r["outcome"]) for r in rows] == [
        (2, "imported"),
        (3, "imported"),
        (4, "imported"),
    ]
    assert rows[0]["values"] == {"公司名称": "甲公司", "手机": "13812345678"}


def test_a_large_upload_is_analysed_by_the_worker(
    client, rep, settings, django_capture_on_commit_callbacks
):
    # given: every file counts as large
    settings.LOUDOU_IMPORT_INLINE_BYTES = 0
    upload = SimpleUploadedFile("leads.csv", CSV.encode())
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        created = client.post("/api/imports", {"file": upload}, **_auth(rep))
    job_id = created.json()["id"]
    early = client.post(f"/api/imports/{job_id}/preview", **_auth(rep))
    status = analyse_import.call(job_id)
    again = analyse_import.call(job_id)
    preview = client.post(f"/api/imports/{job_id}/preview", **_auth(rep))
    # then
    assert created.status_code == 201
    assert (created.json()["status"], created.json()["headers"]) == (
        "analysing",
        ["公司名称", "手机"],
    )
    assert len(callbacks) == 1  # the analysis, enqueued after commit
    assert early.status_code == 422
    assert early.json() == {"errors": {"__all__": ["文件还在检查中，请稍候。"]}}
    assert (status, again) == ("uploaded", "uploaded")
    job = ImportJob.objects.get(pk=job_id)
    assert (job.total, job.mapping) == (3, {"公司名称": "company_name", "手机": "phone"})
    assert [r["outcome"] for r in preview.json()] == ["imported", "imported", "imported"]


def test_an_xlsx_analysed_by_the_worker_gets_its_header_there(rep, data_dir, settings):
    # given
    settings.LOUDOU_IMPORT_INLINE_BYTES = 0
    path = _workbook(data_dir / "leads.xlsx")
    with path.open("rb") as handle:
        job = services.create_job(
            actor=rep, upload=handle, original_name="leads.xlsx", background=True
        )
    assert (job.status, job.headers) == ("analysing", [])
    # when
    job = services.analyse_job(job=job)
    # then
    assert (job.status, job.headers, job.total) == ("uploaded", ["公司名称", "手机"], 1)


def test_a_file_the_worker_refuses_fails_with_the_reason_and_cannot_run(
    client, rep, settings, data_dir
):
    # given
    settings.LOUDOU_IMPORT_INLINE_BYTES = 0
    settings.LOUDOU_IMPORT_MAX_ROWS = 2
    upload = io.BytesIO(CSV.encode())
    job = services.create_job(actor=rep, upload=upload, original_name="a.csv", background=True)
    # when
    job = services.analyse_job(job=job)
    ran = client.post(f"/api/imports/{job.pk}/run", **_auth(rep))
    # then
    message = "文件超过 2 行数据的上限，整个文件未导入（请拆分成几个文件）。"
    assert (job.status, job.error, job.file, job.total) == ("failed", message, "", 0)
    assert not any((data_dir / "imports").iterdir())
    assert (ran.status_code, ran.json()) == (422, {"errors": {"__all__": [message]}})
    with pytest.raises(ValidationError):
        services.run_job(job=job)


def test_the_page_of_an_analysing_job_polls_then_reloads(client, rep, password, settings):
    # given
    settings.LOUDOU_IMPORT_INLINE_BYTES = 0
    client.login(username="rep", password=password)
    client.post(reverse("imports:list"), {"file": SimpleUploadedFile("a.csv", CSV.encode())})
    job = ImportJob.objects.get()
    progress = reverse("imports:progress", args=[job.pk]) + "?analysing=1"
    # when
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    polled = client.get(progress)
    services.analyse_job(job=job)
    done = client.get(progress)
    after = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    # then
    assert f'hx-get="{progress}"' in page
    assert 'id="mapping-form"' not in page
    assert (polled.status_code, polled.has_header("HX-Refresh")) == (200, False)
    assert (done.status_code, done["HX-Refresh"]) == (200, "true")
    assert 'id="mapping-form"' in after


def test_an_analysis_whose_worker_died_is_queued_again_once(
    rep, settings, data_dir, django_capture_on_commit_callbacks
):
    # given: a job left analysing 31 minutes ago, and one left 10 minutes ago
    settings.LOUDOU_IMPORT_INLINE_BYTES = 0
    stalled, recent = (
        services.create_job(
            actor=rep, upload=io.BytesIO(CSV.encode()), original_name=f"{n}.csv", background=True
        )
        for n in ("stalled", "recent")
    )
    now = stalled.created_at + timedelta(minutes=31)
    ImportJob.objects.filter(pk=recent.pk).update(updated_at=now - timedelta(minutes=10))
    # when: two sweeps at the same moment
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = services.restart_stalled_analyses(now=now)
        second = services.restart_stalled_analyses(now=now)
    # then
    assert (first, second, len(callbacks)) == (1, 0, 1)
    queued = DBTaskResult.objects.filter(task_path="loudou.imports.tasks.analyse_import")
    assert [r.args_kwargs["args"] for r in queued] == [[stalled.pk]]
