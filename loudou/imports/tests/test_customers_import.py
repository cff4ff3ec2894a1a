"""Customer and contact imports (ImportJob.kind): mapping, de-dup, 撞单, permissions, re-import,
revert, resume, API, pages and CLI."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from loudou.core.models import Event
from loudou.customers import services as customer_services
from loudou.customers.models import Contact, Customer
from loudou.imports import services
from loudou.imports.exceptions import ImportFileError
from loudou.imports.mapping import suggest
from loudou.imports.models import ColumnMapping, ImportJob, ImportRow
from loudou.leads.models import Lead
from loudou.leads.services import register_lead
from loudou.org.models import Industry, Region
from loudou.org.services import issue_api_token

CUSTOMERS = (
    "公司名称,行业,区域,员工人数,年营业额,地址,备注\n"
    '{industry_name}上海甲科技有限公司,{industry},{region},120,"1,500",浦东新区 1 号,老客户\n'
    "北京乙集团,,,,,,\n"
    ",,,,,,没有公司名\n"
    "广州丙贸易公司,,,,,,身份证 110101199003074514\n"
    "深圳丁电子,不存在的行业,,,,,\n"
)
CONTACTS = (
    "公司名称,联系人,职位,手机,邮箱,微信\n"
    "上海甲科技有限公司,张三,总经理,138 1234 5678,Zhang@Example.com,wx_zhang\n"
    "上海甲科技,李四,采购,13900001111,,\n"
    "不存在公司,王五,,13700002222,,\n"
    "北京乙集团,赵六,,12345,,\n"
    "北京乙集团,,,13600003333,,\n"
)


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


def _customers_csv() -> str:
    industry, region = (
        Industry.objects.order_by("pk").first(),
        Region.objects.order_by("pk").first(),
    )
    return CUSTOMERS.format(industry_name="", industry=industry.name, region=region.name)


def _job(user, text, kind, *, encoding="utf-8", owner=None, to_pool=False, mapping=None):
    upload = io.BytesIO(text.encode(encoding))
    job = services.create_job(actor=user, upload=upload, original_name=f"{kind}.csv", kind=kind)
    return services.set_mapping(
        actor=user, job=job, mapping=mapping or job.mapping, owner=owner, to_pool=to_pool
    )


def _outcomes(job) -> list[tuple[int, str]]:
    return list(ImportRow.objects.filter(job=job).values_list("line", "outcome"))


def _customer(actor, name, **values):
    return customer_services.create_customer(actor=actor, values={"name": name, **values})


def test_columns_are_suggested_per_kind():
    # given
    customer_headers = [
        "企业名称",
        "所属行业",
        "Region",
        "人数",
        "营业额",
        "公司地址",
        "备注",
        "负责人",
    ]
    contact_headers = ["公司名称", "联系人", "职务", "联系电话", "E-mail", "微信号", "说明"]
    # when
    customers = suggest(customer_headers, kind="customers")
    contacts = suggest(contact_headers, kind="contacts")
    # then
    assert customers == {
        "企业名称": "name",
        "所属行业": "industry",
        "Region": "region",
        "人数": "employees",
        "营业额": "annual_revenue",
        "公司地址": "address",
        "备注": "notes",
        "负责人": "owner",
    }
    assert contacts == {
        "公司名称": "customer",
        "联系人": "name",
        "职务": "title",
        "联系电话": "phone",
        "E-mail": "email",
        "微信号": "wechat",
        "说明": "notes",
    }


def test_a_saved_mapping_is_kept_per_kind(rep):
    # given: rep maps 备注 to the customer's address once
    job = _job(rep, "公司名称,备注\n甲公司,x\n", "customers")
    services.set_mapping(actor=rep, job=job, mapping={"公司名称": "name", "备注": "address"})
    # when
    customers = services.create_job(
        actor=rep,
        upload=io.BytesIO("备注\nx\n".encode()),
        original_name="b.csv",
        kind="customers",
    )
    leads = services.create_job(
        actor=rep, upload=io.BytesIO("公司名称,备注\n甲,x\n".encode()), original_name="c.csv"
    )
    # then
    assert customers.mapping == {"备注": "address"}
    assert leads.mapping == {"公司名称": "company_name", "备注": "notes"}
    assert ColumnMapping.objects.filter(user=rep, kind="customers").count() == 2


def test_a_mapping_to_another_kinds_field_is_refused(rep):
    # given
    job = services.create_job(
        actor=rep,
        upload=io.BytesIO("公司名称\n甲\n".encode()),
        original_name="a.csv",
        kind="customers",
    )
    # when / then
    with pytest.raises(ImportFileError, match="company_name"):
        services.set_mapping(actor=rep, job=job, mapping={"公司名称": "company_name"})


def test_an_unknown_kind_is_refused(rep):
    # when / then
    with pytest.raises(ValidationError):
        services.create_job(
            actor=rep, upload=io.BytesIO(b"a\n1\n"), original_name="a.csv", kind="deals"
        )
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_customers_are_imported_with_the_forms_validation(rep, encoding):
    # given
    existing = _customer(rep, "深圳丁电子有限公司")
    job = _job(rep, _customers_csv(), "customers", encoding=encoding)
    # when
    job = services.run_job(job=job)
    # then
    assert job.status == "done"
    assert (job.imported, job.duplicates, job.rejected) == (2, 0, 3)
    assert _outcomes(job) == [
        (2, "imported"),
        (3, "imported"),
        (4, "rejected"),
        (5, "rejected"),
        (6, "rejected"),
    ]
    first = Customer.objects.get(name="上海甲科技有限公司")
    assert first.owner == rep
    assert first.captured_by == rep
    assert first.industry == Industry.objects.order_by("pk").first()
    assert first.region == Region.objects.order_by("pk").first()
    assert (first.employees, first.annual_revenue) == (120, Decimal("1500"))
    assert (first.address, first.notes) == ("浦东新区 1 号", "老客户")
    reasons = dict(ImportRow.objects.filter(job=job).values_list("line", "reason"))
    assert "公司名称" in reasons[4]
    assert "身份证" in reasons[5]
    assert "不存在的行业" in reasons[6]
    assert not Customer.objects.filter(name__in=["广州丙贸易公司"]).exists()
    assert Customer.objects.count() == 3  # existing one untouched, no half-written row
    assert Customer.objects.get(pk=existing.pk).name == "深圳丁电子有限公司"
    assert Event.objects.filter(verb="customer.created").count() == 3


def test_a_customer_the_importer_sees_is_a_duplicate_and_is_not_changed(rep):
    # given
    existing = _customer(rep, "上海甲科技有限公司", address="旧地址")
    job = _job(rep, "公司名称,地址\n甲科技(上海)有限公司,新地址\n上海甲科技,新地址2\n", "customers")
    # when
    job = services.run_job(job=job)
    # then
    assert _outcomes(job) == [(2, "duplicate"), (3, "duplicate")]
    assert list(ImportRow.objects.filter(job=job).values_list("customer_id", flat=True)) == [
        existing.pk,
        existing.pk,
    ]
    existing.refresh_from_db()
    assert existing.address == "旧地址"
    assert Customer.objects.count() == 1


def test_a_customer_held_by_another_rep_is_refused_as_a_clash_naming_only_its_owner(
    rep, other_team_rep
):
    # given
    _customer(other_team_rep, "上海甲科技有限公司", address="保密地址 8 号")
    job = _job(rep, "公司名称\n上海甲科技\n", "customers")
    # when
    job = services.run_job(job=job)
    # then
    row = ImportRow.objects.get(job=job)
    assert row.outcome == "rejected"
    assert "撞单" in row.reason
    assert str(other_team_rep) in row.reason
    assert "保密地址" not in row.reason
    assert row.customer_id is None
    assert Customer.objects.count() == 1


def test_a_rep_cannot_import_customers_into_another_reps_name(rep, teammate):
    # given
    job = services.create_job(
        actor=rep,
        upload=io.BytesIO("公司名称\n甲公司\n".encode()),
        original_name="a.csv",
        kind="customers",
    )
    # when / then
    with pytest.raises(PermissionDenied):
        services.set_mapping(actor=rep, job=job, mapping=job.mapping, owner=teammate)
    job.refresh_from_db()
    assert job.owner is None
    assert Customer.objects.count() == 0


def test_an_owner_column_is_checked_per_row(rep, teammate, manager):
    # given
    text = "公司名称,负责人\n甲公司,teammate\n乙公司,rep\n"
    # when
    as_rep = services.run_job(job=_job(rep, text, "customers"))
    # then: rep may not give a customer to teammate; the manager may
    assert _outcomes(as_rep) == [(2, "rejected"), (3, "imported")]
    assert "分配" in ImportRow.objects.get(job=as_rep, line=2).reason
    as_manager = services.run_job(job=_job(manager, text, "customers"))
    assert _outcomes(as_manager) == [(2, "imported"), (3, "duplicate")]
    assert Customer.objects.get(name="甲公司").owner == teammate


def test_customers_can_go_to_the_pool(manager):
    # when
    job = services.run_job(job=_job(manager, "公司名称\n甲公司\n", "customers", to_pool=True))
    # then
    assert job.imported == 1
    customer = Customer.objects.get()
    assert (customer.owner, customer.captured_by) == (None, manager)
    assert Event.objects.filter(verb="customer.updated", reason="导入公海").count() == 1


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_contacts_are_imported_onto_customers_the_importer_sees(rep, other_team_rep, encoding):
    # given
    mine = _customer(rep, "上海甲科技有限公司")
    _customer(rep, "北京乙集团")
    _customer(other_team_rep, "不存在公司")  # exists, but rep may not see it
    job = _job(rep, CONTACTS, "contacts", encoding=encoding)
    # when
    job = services.run_job(job=job)
    # then
    assert job.mapping == {
        "公司名称": "customer",
        "联系人": "name",
        "职位": "title",
        "手机": "phone",
        "邮箱": "email",
        "微信": "wechat",
    }
    assert _outcomes(job) == [
        (2, "imported"),
        (3, "imported"),
        (4, "rejected"),
        (5, "rejected"),
        (6, "rejected"),
    ]
    zhang = Contact.objects.get(name="张三")
    assert (zhang.customer, zhang.title, zhang.wechat) == (mine, "总经理", "wx_zhang")
    assert (zhang.phone, zhang.email) == ("+8613812345678", "zhang@example.com")
    assert Contact.objects.get(name="李四").customer == mine
    reasons = dict(ImportRow.objects.filter(job=job).values_list("line", "reason"))
    assert "客户不存在" in reasons[4]
    assert "12345" in reasons[5]
    assert "姓名" in reasons[6]
    assert Contact.objects.count() == 2
    assert Customer.objects.count() == 3  # no customer invented


def test_a_contact_with_the_same_phone_or_email_is_a_duplicate(rep):
    # given
    customer = _customer(rep, "上海甲科技有限公司")
    other = _customer(rep, "北京乙集团")
    customer_services.create_contact(
        actor=rep,
        values={"customer": customer, "name": "张三", "phone": "13812345678", "email": "z@a.cn"},
    )
    text = (
        "客户,姓名,电话,邮箱\n"
        "上海甲科技有限公司,张先生,+86 138-1234-5678,\n"
        "上海甲科技有限公司,张总,,Z@A.CN\n"
        "北京乙集团,张三,13812345678,\n"  # same phone on another customer: a new contact
        "北京乙集团,张三,13812345678,\n"  # the same row again
    )
    # when
    job = services.run_job(job=_job(rep, text, "contacts"))
    # then
    assert _outcomes(job) == [(2, "duplicate"), (3, "duplicate"), (4, "imported"), (5, "duplicate")]
    assert customer.contacts.count() == 1
    assert other.contacts.count() == 1


def test_importing_the_same_files_again_changes_nothing(rep):
    # given
    _customer(rep, "北京乙集团")
    first = services.run_job(job=_job(rep, _customers_csv(), "customers"))
    contacts = services.run_job(job=_job(rep, CONTACTS, "contacts"))
    before = (
        list(Customer.objects.order_by("pk").values()),
        list(Contact.objects.order_by("pk").values()),
        Event.objects.count(),
    )
    # when
    again = services.run_job(job=_job(rep, _customers_csv(), "customers"))
    contacts_again = services.run_job(job=_job(rep, CONTACTS, "contacts"))
    # then
    assert (first.imported, contacts.imported) == (1, 2)
    assert (again.imported, again.duplicates) == (0, 2)
    assert (contacts_again.imported, contacts_again.duplicates) == (0, 2)
    after = (
        list(Customer.objects.order_by("pk").values()),
        list(Contact.objects.order_by("pk").values()),
        Event.objects.count(),
    )
    assert after == before


def test_a_leads_file_and_a_customers_file_do_not_count_as_each_other(rep):
    # given: the same cells, imported as leads first
    text = "公司名称\n甲公司\n"
    leads = services.run_job(job=_job(rep, text, "leads", owner=rep))
    # when
    customers = services.run_job(job=_job(rep, text, "customers"))
    # then: the lead created its customer, which the customer import finds by name
    assert leads.imported == 1
    assert _outcomes(customers) == [(2, "duplicate")]
    row = ImportRow.objects.get(job=customers)
    assert row.customer_id == Lead.objects.get().customer_id


def test_preview_writes_nothing(rep):
    # given
    _customer(rep, "北京乙集团")
    job = _job(rep, _customers_csv(), "customers")
    # when
    rows = services.preview(job=job)
    # then
    assert [r["outcome"] for r in rows] == [
        "imported",
        "duplicate",
        "rejected",
        "rejected",
        "rejected",
    ]
    assert Customer.objects.count() == 1
    assert ImportRow.objects.count() == 0


def test_a_customers_import_runs_in_batches_and_resumes(rep):
    # given
    text = "公司名称\n" + "".join(f"公司{chr(0x4E00 + i)}{i}号\n" for i in range(5))
    job = _job(rep, text, "customers")
    # when
    job = services.run_job(job=job, batch_size=2, max_batches=1)
    assert (job.status, job.progress, Customer.objects.count()) == ("running", 2, 2)
    job = services.run_job(job=job, batch_size=2)
    # then
    assert (job.status, job.progress, job.imported) == ("done", 5, 5)
    assert Customer.objects.count() == 5


def test_revert_deletes_what_the_import_created_unless_something_hangs_off_it(rep):
    # given
    job = services.run_job(job=_job(rep, "公司名称\n甲公司\n乙公司\n丙公司\n", "customers"))
    kept = Customer.objects.get(name="乙公司")
    customer_services.create_contact(actor=rep, values={"customer": kept, "name": "张三"})
    held = Customer.objects.get(name="丙公司")
    values = {"company_name": "丙公司", "contact_name": "李四", "phone": "13900001111"}
    register_lead(actor=rep, values=values, owner=rep, customer=held)
    assert held.leads.exists()
    # when
    job = services.revert_job(actor=rep, job=job)
    # then
    assert job.status == "reverted"
    assert set(Customer.objects.values_list("name", flat=True)) == {"乙公司", "丙公司"}
    rows = {r.line: r for r in ImportRow.objects.filter(job=job)}
    assert rows[2].outcome == "reverted"
    assert (rows[3].outcome, rows[4].outcome) == ("imported", "imported")
    assert "未删除" in rows[3].reason
    assert Event.objects.filter(verb="customer.deleted").count() == 1
    # and the file imports again: the deleted one comes back, the kept ones are there
    again = services.run_job(job=_job(rep, "公司名称\n甲公司\n乙公司\n丙公司\n", "customers"))
    assert _outcomes(again) == [(2, "imported"), (3, "duplicate"), (4, "duplicate")]


def test_revert_deletes_the_imported_contacts_no_lead_refers_to(rep, teammate):
    # given
    customer = _customer(rep, "上海甲科技有限公司")
    customer_services.create_contact(actor=rep, values={"customer": customer, "name": "老联系人"})
    job = services.run_job(job=_job(rep, CONTACTS, "contacts"))
    assert customer.contacts.count() == 3
    li = Contact.objects.get(name="李四")
    values = {"company_name": "上海甲科技有限公司", "contact_name": "李四", "phone": "13900001111"}
    lead = register_lead(actor=rep, values=values, owner=rep, customer=customer)
    Lead.objects.filter(pk=lead.pk).update(technical_contact=li)
    # when
    with pytest.raises(PermissionDenied):
        services.revert_job(actor=teammate, job=job)
    job = services.revert_job(actor=rep, job=job)
    # then: 张三 goes, 李四 (a lead's technical contact) stays
    assert set(customer.contacts.values_list("name", flat=True)) >= {"老联系人", "李四"}
    assert not Contact.objects.filter(name="张三").exists()
    assert Lead.objects.get(pk=lead.pk).technical_contact == li
    assert Event.objects.filter(verb="contact.deleted").count() == 1
    rows = {r.line: r for r in ImportRow.objects.filter(job=job)}
    assert (rows[2].outcome, rows[3].outcome) == ("reverted", "imported")
    assert "线索" in rows[3].reason


def test_the_api_imports_customers_and_refuses_what_the_ui_refuses(
    client, rep, teammate, django_capture_on_commit_callbacks
):
    # given
    upload = SimpleUploadedFile("c.csv", "公司名称,行业\n甲公司,\n".encode("gbk"))
    # when
    created = client.post("/api/imports", {"file": upload, "kind": "customers"}, **_auth(rep))
    job_id = created.json()["id"]
    refused = client.post(
        f"/api/imports/{job_id}/mapping",
        {"owner": teammate.pk},
        content_type="application/json",
        **_auth(rep),
    )
    wrong_field = client.post(
        f"/api/imports/{job_id}/mapping",
        {"mapping": {"公司名称": "company_name"}},
        content_type="application/json",
        **_auth(rep),
    )
    mapped = client.post(
        f"/api/imports/{job_id}/mapping", {}, content_type="application/json", **_auth(rep)
    )
    preview = client.post(f"/api/imports/{job_id}/preview", **_auth(rep))
    with django_capture_on_commit_callbacks(execute=True):
        ran = client.post(f"/api/imports/{job_id}/run", **_auth(rep))
    bad_kind = client.post(
        "/api/imports",
        {"file": SimpleUploadedFile("c.csv", b"a\n1\n"), "kind": "deals"},
        **_auth(rep),
    )
    # then
    assert created.status_code == 201
    assert (created.json()["kind"], created.json()["mapping"]) == (
        "customers",
        {"公司名称": "name", "行业": "industry"},
    )
    assert (refused.status_code, wrong_field.status_code) == (422, 422)
    assert mapped.status_code == 200
    assert [r["outcome"] for r in preview.json()] == ["imported"]
    assert ran.status_code == 202
    assert bad_kind.status_code == 422
    assert "kind" in bad_kind.json()["errors"]
    assert Customer.objects.count() == 0  # queued, not run in this test
    services.run_job(job=ImportJob.objects.get(pk=job_id))
    assert Customer.objects.get().owner == rep


def test_the_import_pages_take_the_kind(client, rep, password):
    # given
    client.login(username="rep", password=password)
    # when
    uploaded = client.post(
        reverse("imports:list"),
        {"file": SimpleUploadedFile("a.csv", CONTACTS.encode()), "kind": "contacts"},
    )
    job = ImportJob.objects.get()
    page = client.get(reverse("imports:detail", args=[job.pk]))
    posted = client.post(
        reverse("imports:detail", args=[job.pk]), {"col_0": "customer", "col_1": "name"}
    )
    # then
    assert uploaded.status_code == 302
    assert job.kind == "contacts"
    text = page.content.decode()
    assert "联系人" in text
    assert 'name="owner"' not in text  # contacts belong to the customers they name
    assert posted.status_code == 200
    assert 'id="preview"' in posted.content.decode()
    assert Contact.objects.count() == 0


def test_the_cli_imports_customers_then_contacts(rep, data_dir):
    # given
    customers = data_dir / "customers.csv"
    customers.write_text(_customers_csv(), encoding="gbk")
    contacts = data_dir / "contacts.csv"
    contacts.write_text(CONTACTS, encoding="utf-8")
    out = io.StringIO()
    # when
    call_command("import", str(customers), "--kind", "customers", "--as", "rep", stdout=out)
    call_command("import", str(contacts), "--kind", "contacts", "--as", "rep", stdout=out)
    # then
    kinds = list(ImportJob.objects.order_by("pk").values_list("kind", "imported"))
    assert kinds == [("customers", 2), ("contacts", 2)]
    assert Customer.objects.filter(owner=rep).count() == 2
    assert set(Contact.objects.values_list("name", flat=True)) == {"张三", "李四"}
    assert Lead.objects.count() == 0
    with pytest.raises(CommandError):
        call_command("import", str(contacts), "--kind", "deals", "--as", "rep", stdout=out)
