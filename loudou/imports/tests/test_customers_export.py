"""Customer and contact exports: visibility, masking, formulas, filters, pages, round trip."""

import io

import pytest
from django.urls import reverse

from loudou.customers import services as customer_services
from loudou.customers.models import Contact, Customer
from loudou.imports import services
from loudou.org.models import Industry, Region
from loudou.org.services import issue_api_token


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _csv(response) -> str:
    return _body(response).decode("utf-8")


def _customer(actor, name, **values):
    return customer_services.create_customer(actor=actor, values={"name": name, **values})


def _contact(customer, actor, name, **values):
    return customer_services.create_contact(
        actor=actor, values={"customer": customer, "name": name, **values}
    )


def test_customers_are_exported_as_the_list_shows_them(client, rep, teammate, manager):
    # given
    _customer(rep, "甲公司", employees=12, address="一号路")
    _customer(teammate, "乙公司")
    # when
    reps = _csv(client.get("/api/customers/export?format=csv", **_auth(rep)))
    managers = _csv(client.get("/api/customers/export?format=csv", **_auth(manager)))
    # then
    lines = reps.splitlines()
    assert lines[0] == "\ufeff公司名称,行业,区域,员工人数,年营业额(万元),地址,备注,负责人"
    assert lines[1:] == ["甲公司,,,12,,一号路,,rep"]
    assert "乙公司" in managers
    assert "甲公司" in managers


def test_contacts_of_customers_the_viewer_does_not_own_are_masked(
    client, rep, teammate, manager, other_team_rep
):
    # given
    mine = _customer(rep, "甲公司")
    theirs = _customer(teammate, "乙公司")
    _contact(mine, rep, "张三", phone="13812345678", email="zhang@example.com", wechat="wx_zhang")
    _contact(theirs, teammate, "李四", phone="13900001111", email="li@example.com", wechat="wx_li")
    # when
    reps = _csv(client.get("/api/contacts/export?format=csv", **_auth(rep)))
    managers = _csv(client.get("/api/contacts/export?format=csv", **_auth(manager)))
    others = _csv(client.get("/api/contacts/export?format=csv", **_auth(other_team_rep)))
    # then: rep owns 甲公司 and sees its contact whole, not 乙公司's at all
    assert reps.splitlines()[0] == "\ufeff客户,姓名,职位,电话,邮箱,微信,备注"
    assert "13812345678" in reps
    assert "zhang@example.com" in reps
    assert "wx_zhang" in reps
    assert "李四" not in reps
    # the manager sees both lists, but owns neither: masked
    assert "张三" in managers
    assert "李四" in managers
    assert "139****1111" in managers.replace(" ", "")
    assert "12345678" not in managers
    assert "13900001111" not in managers.replace(" ", "")
    assert "l***@example.com" in managers
    assert "wx_li" not in managers
    assert "w***" in managers
    assert others.splitlines()[1:] == []


def test_formula_cells_are_neutralised(client, rep):
    # given
    customer = _customer(rep, '=HYPERLINK("x")', notes="+cmd|' /C calc'!A0")
    _contact(customer, rep, "@SUM(A1)", title="-2+3")
    # when
    customers = _csv(client.get("/api/customers/export?format=csv", **_auth(rep)))
    contacts = _csv(client.get("/api/contacts/export?format=csv", **_auth(rep)))
    # then
    assert "'=HYPERLINK" in customers
    assert "'+cmd" in customers
    assert "'=HYPERLINK" in contacts  # the customer column
    assert "'@SUM(A1)" in contacts
    assert "'-2+3" in contacts


def test_the_export_follows_the_list_search(client, rep):
    # given
    _contact(_customer(rep, "甲公司"), rep, "张三")
    _contact(_customer(rep, "乙公司"), rep, "李四")
    # when
    customers = _csv(client.get("/api/customers/export?format=csv&q=乙", **_auth(rep)))
    contacts = _csv(client.get("/api/contacts/export?format=csv&q=乙", **_auth(rep)))
    # then
    assert "乙公司" in customers
    assert "甲公司" not in customers
    assert "李四" in contacts
    assert "张三" not in contacts


def test_an_xlsx_export_opens_with_the_same_rows(client, rep):
    # given
    from openpyxl import load_workbook

    _contact(_customer(rep, "甲公司"), rep, "张三", phone="13812345678")
    # when
    response = client.get("/api/contacts/export?format=xlsx", **_auth(rep))
    book = load_workbook(io.BytesIO(_body(response)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    # then
    assert book.worksheets[0].title == "联系人"
    assert rows[0][:4] == ("客户", "姓名", "职位", "电话")
    assert rows[1][:2] == ("甲公司", "张三")


def test_an_unknown_format_is_refused(client, rep, password):
    # when
    response = client.get("/api/customers/export?format=pdf", **_auth(rep))
    client.login(username="rep", password=password)
    page = client.get(reverse("customers:export"), {"format": "pdf"})
    # then
    assert response.status_code == 422
    assert "format" in response.json()["errors"]
    assert page.status_code == 302


def test_the_customer_list_page_offers_and_serves_the_exports(client, rep, teammate, password):
    # given
    _contact(_customer(rep, "甲公司"), rep, "张三", phone="13812345678")
    _contact(_customer(teammate, "乙公司"), teammate, "李四")
    client.login(username="rep", password=password)
    # when
    page = client.get(reverse("customers:list"), {"q": "甲"}).content.decode()
    customers = client.get(reverse("customers:export"), {"format": "csv"})
    contacts = client.get(reverse("customers:contact_export"), {"format": "csv", "q": "甲"})
    # then
    assert reverse("customers:export") + "?format=xlsx&amp;q=%E7%94%B2" in page
    assert reverse("customers:contact_export") + "?format=csv&amp;q=%E7%94%B2" in page
    assert customers["Content-Type"].startswith("text/csv")
    assert "甲公司" in _csv(customers)
    assert "乙公司" not in _csv(customers)
    assert "张三" in _csv(contacts)
    assert "李四" not in _csv(contacts)


def test_exports_need_a_login(client):
    # when
    api = client.get("/api/customers/export?format=csv")
    page = client.get(reverse("customers:contact_export"))
    # then
    assert api.status_code == 401
    assert page.status_code == 302


def _snapshot():
    customers = [
        (c.name, c.industry_id, c.region_id, c.employees, c.annual_revenue, c.address, c.notes)
        + (c.owner_id,)
        for c in Customer.objects.order_by("name")
    ]
    contacts = [
        (c.customer.name, c.name, c.title, c.phone, c.email, c.wechat, c.notes)
        for c in Contact.objects.select_related("customer").order_by("customer__name", "name")
    ]
    return customers, contacts


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_an_export_imports_back_into_an_empty_company(client, rep, admin_user, format):
    # given
    industry, region = Industry.objects.first(), Region.objects.first()
    first = _customer(
        rep,
        "上海甲科技有限公司",
        industry=industry,
        region=region,
        employees=120,
        annual_revenue="1500.50",
        address="浦东新区 1 号",
        notes="-5 折扣\n第二行",
    )
    second = _customer(rep, "=北京乙集团")
    _contact(first, rep, "张三", title="总经理", phone="13812345678", email="z@example.com")
    _contact(first, rep, "李四", wechat="wx_li", notes="+备注")
    _contact(second, rep, "王五", phone="02188886666")
    customers = _body(client.get(f"/api/customers/export?format={format}", **_auth(rep)))
    contacts = _body(client.get(f"/api/contacts/export?format={format}", **_auth(rep)))
    before = _snapshot()
    Customer.objects.all().delete()
    # when: another user imports both files (the owner column keeps rep as owner)
    for kind, data in [("customers", customers), ("contacts", contacts)]:
        job = services.create_job(
            actor=admin_user, upload=io.BytesIO(data), original_name=f"e.{format}", kind=kind
        )
        job = services.set_mapping(actor=admin_user, job=job, mapping=job.mapping)
        job = services.run_job(job=job)
        assert (job.imported, job.rejected) == ((2, 0) if kind == "customers" else (3, 0))
    # then
    assert _snapshot() == before
    assert set(Customer.objects.values_list("captured_by", flat=True)) == {admin_user.pk}
