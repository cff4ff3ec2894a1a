"""Exports (masked, formula-safe, round-trip) and the imports API and pages."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from loudou.imports import services
from loudou.imports.models import ImportJob
from loudou.leads.models import Lead
from loudou.leads.services import LEAD_FIELDS
from loudou.leads.tests.factories import make_lead
from loudou.org.services import issue_api_token

CSV = "公司名称,手机\n甲公司,13812345678\n,13900001111\n"


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


def _csv(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def test_an_export_masks_contacts_the_viewer_may_not_see(client, rep, manager, teammate):
    # given
    make_lead(actor=teammate, owner=teammate, company_name="乙公司", phone="13900001111")
    make_lead(actor=rep, owner=rep, company_name="甲公司", phone="13812345678")
    # when
    text = _csv(client.get("/api/leads-export?format=csv", **_auth(rep)))
    # then
    assert text.startswith("\ufeff公司名称,")
    assert "甲公司" in text
    assert "乙公司" not in text  # not in the list rep sees
    assert "138 1234 5678" in text or "13812345678" in text
    managers = _csv(client.get("/api/leads-export?format=csv", **_auth(manager)))
    assert "乙公司" in managers


def test_an_export_of_another_reps_lead_is_masked_for_a_viewer_who_does_not_own_it(
    client, marketing, rep
):
    # given: marketing captured it unowned, then it was given to rep
    make_lead(actor=rep, owner=rep, company_name="甲公司", phone="13812345678")
    # when
    text = _csv(client.get("/api/leads-export?format=csv", **_auth(marketing)))
    # then
    assert "13812345678" not in text
    assert "1234 5678" not in text


def test_formula_cells_are_neutralised(client, rep):
    # given
    make_lead(actor=rep, owner=rep, company_name='=HYPERLINK("x")', notes="@SUM(A1)")
    # when
    text = _csv(client.get("/api/leads-export?format=csv", **_auth(rep)))
    # then
    assert "'=HYPERLINK" in text
    assert "'@SUM(A1)" in text


def test_the_export_follows_the_list_filters(client, rep):
    # given
    make_lead(actor=rep, owner=rep, company_name="甲公司")
    make_lead(actor=rep, owner=rep, company_name="乙公司", phone="13900001111")
    # when
    text = _csv(client.get("/api/leads-export?format=csv&q=乙公司", **_auth(rep)))
    # then
    assert "乙公司" in text
    assert "甲公司" not in text


def test_an_xlsx_export_opens_with_the_same_rows(client, rep):
    # given
    from openpyxl import load_workbook

    make_lead(actor=rep, owner=rep, company_name="甲公司")
    # when
    response = client.get("/api/leads-export?format=xlsx", **_auth(rep))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    # then
    assert rows[0][0] == "公司名称"
    assert rows[1][0] == "甲公司"


def test_an_export_imports_back_with_the_same_values(client, rep):
    # given
    originals = [
        make_lead(
            actor=rep,
            owner=rep,
            company_name="甲公司",
            email="a@example.com",
            notes="-5 折扣",
            employees=120,
            need_level="explicit",
        ),
        make_lead(
            actor=rep, owner=rep, company_name="乙公司", phone="13900001111", wechat="wx_abcdef"
        ),
    ]
    text = _csv(client.get("/api/leads-export?format=csv", **_auth(rep)))
    # when
    job = services.create_job(actor=rep, upload=io.BytesIO(text.encode()), original_name="e.csv")
    services.set_mapping(actor=rep, job=job, mapping=job.mapping)
    job = services.run_job(job=job)
    # then
    assert (job.imported, job.rejected) == (2, 0)
    fields = [*LEAD_FIELDS, "owner_id", "is_valid", "intent_grade"]

    def values(leads):
        return [
            [*(getattr(x, f) for f in fields), x.captured_at.replace(microsecond=0)]
            for x in leads.order_by("company_name")
        ]

    new = Lead.objects.exclude(pk__in=[x.pk for x in originals])
    assert values(new) == values(Lead.objects.filter(pk__in=[x.pk for x in originals]))


def test_the_api_uploads_previews_runs_and_reports(client, rep, django_capture_on_commit_callbacks):
    # given
    upload = SimpleUploadedFile("leads.csv", CSV.encode("gbk"))
    # when
    created = client.post("/api/imports", {"file": upload}, **_auth(rep))
    job_id = created.json()["id"]
    preview = client.post(f"/api/imports/{job_id}/preview", **_auth(rep))
    with django_capture_on_commit_callbacks(execute=True):
        ran = client.post(f"/api/imports/{job_id}/run", **_auth(rep))
    # then
    assert created.status_code == 201
    assert created.json()["encoding"] == "gb18030"
    assert [r["outcome"] for r in preview.json()] == ["imported", "rejected"]
    assert ran.status_code == 202
    job = ImportJob.objects.get(pk=job_id)
    assert (job.status, job.total) == ("queued", 2)
    assert ran.json()["status"] == "queued"
    rejected = client.get(f"/api/imports/{job_id}/rejected.csv", **_auth(rep))
    assert rejected.status_code == 200


def test_a_bad_upload_is_a_422_with_the_reason(client, rep):
    # given
    upload = SimpleUploadedFile("leads.csv", b"\x00\x01\x02binary")
    # when
    response = client.post("/api/imports", {"file": upload}, **_auth(rep))
    # then
    assert response.status_code == 422
    assert "[binary]" in response.json()["errors"]["file"][0]
    assert ImportJob.objects.count() == 0


def test_someone_elses_import_is_not_found(client, rep, teammate):
    # given
    job = services.create_job(actor=rep, upload=io.BytesIO(CSV.encode()), original_name="a.csv")
    # when
    response = client.get(f"/api/imports/{job.pk}", **_auth(teammate))
    page = client.get(f"/api/imports/{job.pk}/rejected.csv", **_auth(teammate))
    # then
    assert (response.status_code, page.status_code) == (404, 404)


def test_the_import_pages_upload_map_and_preview(client, rep, password):
    # given
    client.login(username="rep", password=password)
    # when
    uploaded = client.post(
        reverse("imports:list"), {"file": SimpleUploadedFile("a.csv", CSV.encode())}
    )
    job = ImportJob.objects.get()
    page = client.post(
        reverse("imports:detail", args=[job.pk]),
        {"col_0": "company_name", "col_1": "phone", "owner": rep.pk},
    )
    progress = client.get(reverse("imports:progress", args=[job.pk]))
    # then
    assert uploaded.status_code == 302
    assert page.status_code == 200
    assert 'id="preview"' in page.content.decode()
    assert progress.status_code == 200
    assert Lead.objects.count() == 0


def test_the_export_page_downloads_the_filtered_list(client, rep, password):
    # given
    make_lead(actor=rep, owner=rep, company_name="甲公司")
    client.login(username="rep", password=password)
    # when
    response = client.get(reverse("imports:export"), {"format": "csv", "q": "甲"})
    # then
    assert response["Content-Type"].startswith("text/csv")
    assert "甲公司" in _csv(response)


def test_the_export_buttons_keep_the_list_filters(rf, rep):
    # given
    from django.template.loader import render_to_string

    request = rf.get("/leads/", {"intent_grade": "A"})
    # when
    html = render_to_string("imports/_export_buttons.html", request=request)
    # then
    assert "format=xlsx&amp;intent_grade=A" in html
