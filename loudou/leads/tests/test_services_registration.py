from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from loudou.compliance.phones import normalise_phone
from loudou.core import audit
from loudou.core.models import Event
from loudou.customers.models import Contact, Customer
from loudou.leads.models import Lead, LeadSequence
from loudou.leads.services import register_lead, update_lead
from loudou.leads.tests.factories import make_lead

SHANGHAI = ZoneInfo("Asia/Shanghai")
# GB 11643-1999 sample ID-card number and a Luhn-valid 16-digit card number
ID_CARD = "11010519491231002X"
BANK_CARD = "6222021234567894"
WECHAT_RULE = "不是有效的微信号（6-20位字母、数字、下划线或减号，以字母开头，或手机号）。"


def written() -> dict[str, int]:
    return {
        "leads": Lead.objects.count(),
        "customers": Customer.objects.count(),
        "contacts": Contact.objects.count(),
        "events": Event.objects.count(),
        "sequences": LeadSequence.objects.count(),
    }


def test_registered_leads_get_consecutive_numbers_of_the_year(rep):
    # given
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        # when
        first = make_lead(actor=rep)
        second = make_lead(actor=rep, company_name="北京测试有限公司")

    # then
    assert first.number == "LX2026000001"
    assert second.number == "LX2026000002"


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        ("138 1234 5678", "+8613812345678"),
        ("+86 138-1234-5678", "+8613812345678"),
        ("021 87654321", "+862187654321"),
        ("+1 650 253 0000", "+16502530000"),
    ],
)
def test_phone_is_stored_in_e164(rep, phone, stored):
    # when
    lead = make_lead(actor=rep, phone=phone)

    # then
    lead.refresh_from_db()
    assert lead.phone == stored
    assert lead.contact.phone == stored


def test_email_is_stored_lowercase(rep):
    # when
    lead = make_lead(actor=rep, phone="", email="  Wang.Wei@Example.COM ")

    # then
    lead.refresh_from_db()
    assert lead.email == "wang.wei@example.com"
    assert lead.is_valid is True


def test_lead_without_contact_is_saved_invalid(rep):
    # when
    lead = make_lead(actor=rep, phone="", email="", wechat="")

    # then
    lead.refresh_from_db()
    assert lead.is_valid is False
    assert lead.invalid_reason == "无任何有效联系方式"
    assert lead.rating == "C"
    assert Lead.objects.count() == 1


@pytest.mark.parametrize("contact", [{"email": "wang@example.com"}, {"wechat": "wangwei_88"}])
def test_lead_with_only_email_or_wechat_is_valid(rep, contact):
    # when
    lead = make_lead(actor=rep, phone="", **contact)

    # then
    assert lead.is_valid is True
    assert lead.invalid_reason == ""


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "12345", "“12345”不是有效的电话号码。"),
        ("phone", "138-1234-567", "“138-1234-567”不是有效的电话号码。"),
        ("email", "wang@", "“wang@”不是有效的邮箱地址。"),
        (
            "wechat",
            "微信 wangwei",
            "“微信 wangwei”" + WECHAT_RULE,
        ),
        (
            "wechat",
            "1abcdef",
            "“1abcdef”" + WECHAT_RULE,
        ),
    ],
)
def test_malformed_contact_is_refused_and_nothing_is_written(rep, field, value, message):
    # given
    before = written()

    # when
    with pytest.raises(ValidationError) as refused:
        make_lead(actor=rep, **{field: value})

    # then
    assert refused.value.message_dict == {field: [message]}
    assert written() == before


def test_wechat_may_be_a_mobile_number(rep):
    # when
    lead = make_lead(actor=rep, phone="", wechat="13812345678")

    # then
    assert lead.wechat == "13812345678"
    assert lead.is_valid is True


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("company_name", "公司名称"),
        ("contact_name", "联系人"),
        ("contact_title", "职位"),
        ("need_description", "需求描述"),
        ("pain_point", "具体痛点"),
        ("notes", "备注"),
        ("wechat", "微信"),
    ],
)
def test_id_card_in_any_text_field_is_refused_and_nothing_is_written(rep, field, label):
    # given
    before = written()

    # when
    with pytest.raises(ValidationError) as refused:
        make_lead(actor=rep, **{field: f"身份证{ID_CARD}"})

    # then
    assert refused.value.message_dict == {
        field: [
            f"“{label}”中含有身份证号码。依据《个人信息保护法》，本系统不收集身份证号，"
            "请删除后再保存。"
        ]
    }
    assert written() == before


@pytest.mark.parametrize(
    ("field", "label"),
    [("company_name", "公司名称"), ("notes", "备注"), ("need_description", "需求描述")],
)
def test_bank_card_in_a_text_field_is_refused_and_nothing_is_written(rep, field, label):
    # given
    before = written()

    # when
    with pytest.raises(ValidationError) as refused:
        make_lead(actor=rep, **{field: "卡号 6222 0212 3456 7894"})

    # then
    assert refused.value.message_dict == {
        field: [
            f"“{label}”中含有银行卡号。依据《个人信息保护法》，本系统不收集银行卡号，"
            "请删除后再保存。"
        ]
    }
    assert written() == before


def test_every_field_holding_personal_data_is_named(rep):
    # when
    with pytest.raises(ValidationError) as refused:
        make_lead(actor=rep, notes=ID_CARD, pain_point=BANK_CARD)

    # then
    assert sorted(refused.value.message_dict) == ["notes", "pain_point"]
    assert Lead.objects.count() == 0


@pytest.mark.parametrize(("field", "label"), [("company_name", "公司名称"), ("notes", "备注")])
def test_text_with_a_nul_character_is_refused_and_nothing_is_written(rep, field, label):
    # given
    before = written()

    # when
    with pytest.raises(ValidationError) as refused:
        make_lead(actor=rep, **{field: "上海\x00示例"})

    # then
    assert refused.value.message_dict == {
        field: [f"“{label}”中含有空字符（\\x00），请删除后再保存。"]
    }
    assert written() == before


def test_lead_without_company_name_is_refused(rep):
    # given
    before = written()

    # when
    with pytest.raises(ValidationError) as refused:
        make_lead(actor=rep, company_name="   ")

    # then
    assert refused.value.message_dict == {"company_name": ["请填写公司名称。"]}
    assert written() == before


def test_field_outside_the_registration_sheet_is_refused(rep):
    # when
    with pytest.raises(ValidationError) as refused:
        make_lead(actor=rep, intent_grade="A", owner_id=1)

    # then
    assert refused.value.message_dict == {
        "intent_grade": ["不可编辑的字段。"],
        "owner_id": ["不可编辑的字段。"],
    }
    assert Lead.objects.count() == 0


def test_registration_creates_and_links_customer_and_contact(rep):
    # when
    lead = make_lead(
        actor=rep,
        company_name="上海示例科技有限公司",
        contact_name="王伟",
        contact_title="采购经理",
        phone="13812345678",
        email="wang@example.com",
        wechat="wangwei_88",
        employees=120,
    )

    # then
    customer = Customer.objects.get()
    contact = Contact.objects.get()
    assert lead.customer == customer
    assert lead.contact == contact
    assert (customer.name, customer.employees, customer.owner, customer.captured_by) == (
        "上海示例科技有限公司",
        120,
        rep,
        rep,
    )
    assert (contact.customer, contact.name, contact.title) == (customer, "王伟", "采购经理")
    assert (contact.phone, contact.email, contact.wechat) == (
        "+8613812345678",
        "wang@example.com",
        "wangwei_88",
    )
    assert [e.verb for e in audit.history(customer)] == ["customer.created"]
    assert [e.verb for e in audit.history(contact)] == ["contact.created"]
    # the valid lead entered the default pipeline right after it was registered
    assert [e.verb for e in audit.history(lead)] == ["lead.stage_changed", "lead.created"]


def test_lead_without_contact_name_gets_a_customer_but_no_contact(rep):
    # when
    lead = make_lead(actor=rep, contact_name="")

    # then
    assert lead.customer == Customer.objects.get()
    assert lead.contact is None
    assert Contact.objects.count() == 0


def test_lead_for_an_existing_customer_creates_no_new_customer(rep):
    # given
    first = make_lead(actor=rep)

    # when
    second = register_lead(
        actor=rep,
        values={"company_name": "上海示例科技有限公司", "phone": "13912345678"},
        customer=first.customer,
    )

    # then
    assert second.customer == first.customer
    assert Customer.objects.count() == 1


def test_creation_event_records_the_registered_values(rep):
    # when
    lead = make_lead(actor=rep, notes="展会现场登记")

    # then
    event = audit.history(lead).get(verb="lead.created")
    assert (event.verb, event.actor, event.reason) == ("lead.created", rep, "")
    assert {"field": "notes", "before": None, "after": "展会现场登记"} in event.changes
    assert {"field": "phone", "before": None, "after": "+8613812345678"} in event.changes
    assert {"field": "owner", "before": None, "after": str(rep)} in event.changes


def test_rep_owns_the_lead_they_register(rep):
    # when
    lead = make_lead(actor=rep)

    # then
    assert (lead.owner, lead.captured_by) == (rep, rep)
    assert lead.assigned_at == lead.captured_at


def test_marketing_registered_lead_waits_unowned(marketing):
    # when
    lead = make_lead(actor=marketing)

    # then
    lead.refresh_from_db()
    assert lead.owner is None
    assert lead.captured_by == marketing
    assert lead.assigned_at is None
    assert lead.customer.owner is None
    assert lead.customer.captured_by == marketing


def test_manager_may_assign_a_new_lead_to_a_team_rep(manager, rep):
    # when
    lead = make_lead(actor=manager, owner=rep)

    # then
    assert (lead.owner, lead.captured_by) == (rep, manager)
    assert lead.customer.owner == rep


@pytest.mark.parametrize("owner", ["other_team_rep", "teammate"])
def test_rep_cannot_assign_a_new_lead_to_someone_else(request, rep, owner):
    # given
    someone_else = request.getfixturevalue(owner)
    before = written()

    # when
    with pytest.raises(PermissionDenied):
        make_lead(actor=rep, owner=someone_else)

    # then
    assert written() == before


def test_manager_cannot_assign_a_new_lead_to_another_teams_rep(manager, other_team_rep):
    # given
    before = written()

    # when
    with pytest.raises(PermissionDenied):
        make_lead(actor=manager, owner=other_team_rep)

    # then
    assert written() == before


def test_update_records_only_changed_fields_before_and_after(rep):
    # given
    lead = make_lead(actor=rep, notes="初次接触")
    events = Event.objects.count()

    # when
    update_lead(
        actor=rep,
        lead=lead,
        values={
            "company_name": "上海示例科技有限公司",
            "phone": "138 1234 5678",
            "notes": "已约演示",
            "need_level": "explicit",
            "budget_fit": "fits",
            "decision_cycle": "1m",
        },
    )

    # then
    event = audit.history(lead).first()
    assert Event.objects.count() == events + 1
    assert (event.verb, event.actor) == ("lead.updated", rep)
    assert event.changes == [
        {"field": "decision_cycle", "before": "unknown", "after": "1m"},
        {"field": "need_level", "before": "unknown", "after": "explicit"},
        {"field": "budget_fit", "before": "unknown", "after": "fits"},
        {"field": "notes", "before": "初次接触", "after": "已约演示"},
        {"field": "intent_grade_auto", "before": "C", "after": "A"},
        {"field": "intent_grade", "before": "C", "after": "A"},
    ]
    lead.refresh_from_db()
    assert (lead.notes, lead.intent_grade_auto, lead.intent_grade) == ("已约演示", "A", "A")


def test_update_without_changes_records_nothing(rep):
    # given
    lead = make_lead(actor=rep, notes="初次接触")
    events = Event.objects.count()

    # when
    update_lead(actor=rep, lead=lead, values={"notes": "初次接触", "phone": "13812345678"})

    # then
    assert Event.objects.count() == events


def test_update_recomputes_grades_when_inputs_change(rep):
    # given a lead rated B (valid contact) with low intent
    lead = make_lead(actor=rep, need_level="initial", decision_cycle="3m_plus")
    assert (lead.intent_grade, lead.rating) == ("C", "B")

    # when
    update_lead(
        actor=rep,
        lead=lead,
        values={"decision_cycle": "1_3m", "employees": 300, "customer_type": "ordinary"},
    )

    # then
    lead.refresh_from_db()
    assert (lead.intent_grade_auto, lead.intent_grade) == ("B", "B")
    assert (lead.rating_auto, lead.rating) == ("A", "A")


def test_update_removing_the_last_contact_makes_the_lead_invalid(rep):
    # given
    lead = make_lead(actor=rep)

    # when
    update_lead(actor=rep, lead=lead, values={"phone": ""})

    # then
    lead.refresh_from_db()
    assert (lead.is_valid, lead.invalid_reason, lead.rating) == (False, "无任何有效联系方式", "C")
    assert audit.history(lead).first().changes == [
        {"field": "phone", "before": "+8613812345678", "after": ""},
        {"field": "rating_auto", "before": "B", "after": "C"},
        {"field": "rating", "before": "B", "after": "C"},
        {"field": "is_valid", "before": True, "after": False},
    ]


def test_update_with_bad_input_is_refused_and_nothing_is_written(rep):
    # given
    lead = make_lead(actor=rep, notes="初次接触")
    events = Event.objects.count()

    # when
    with pytest.raises(ValidationError) as refused:
        update_lead(actor=rep, lead=lead, values={"notes": f"身份证 {ID_CARD}"})

    # then
    assert list(refused.value.message_dict) == ["notes"]
    assert Event.objects.count() == events
    assert Lead.objects.get(pk=lead.pk).notes == "初次接触"


def test_update_reassigning_to_another_teams_rep_is_refused(manager, rep, other_team_rep):
    # given
    lead = make_lead(actor=manager, owner=rep)
    events = Event.objects.count()

    # when
    with pytest.raises(PermissionDenied):
        update_lead(actor=manager, lead=lead, values={}, owner=other_team_rep)

    # then
    assert Event.objects.count() == events
    assert Lead.objects.get(pk=lead.pk).owner == rep


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(company_name=st.text(max_size=220), notes=st.text(), phone=st.text(max_size=45))
@example(company_name="上海\x00示例", notes="", phone="")
@example(company_name="示例", notes="\x00", phone="138\x0012345678")
@example(company_name="示" * 201, notes="", phone="+86 138 1234 5678")
def test_registration_of_arbitrary_text_saves_or_refuses_with_validation_error(
    rep, company_name, notes, phone
):
    # given
    values = {"company_name": company_name, "notes": notes, "phone": phone}

    # when
    with transaction.atomic():
        try:
            lead = register_lead(actor=rep, values=values)
        except ValidationError:
            lead = None
        transaction.set_rollback(True)

    # then
    if lead is not None:
        assert lead.company_name == company_name.strip()
        assert lead.phone == (normalise_phone(phone) or "")


def test_closed_history_without_contact_is_kept_valid_flagged_and_graded_as_without_one(rep):
    # given: an imported won deal without any contact method (ADR 0012)
    lead = register_lead(
        actor=rep, values={"company_name": "历史成交公司"}, via="import", historical=True
    )
    # when: it is edited later, and an open lead without contact is registered
    update_lead(actor=rep, lead=lead, values={"notes": "补充备注"})
    open_lead = register_lead(actor=rep, values={"company_name": "无联系方式公司"}, via="import")
    # then
    lead.refresh_from_db()
    created = Event.objects.get(verb="lead.created", object_id=lead.pk).changes
    assert (lead.is_valid, lead.is_historical, lead.invalid_reason) == (True, True, "")
    assert lead.stage.code == "resource"  # placed: the import then moves it to won or lost
    assert lead.rating == "C"  # rating B needs a valid contact: it has none
    assert {"field": "is_historical", "before": None, "after": True} in created
    assert (open_lead.is_valid, open_lead.is_historical, open_lead.stage) == (False, False, None)


def test_the_historical_flag_is_ignored_for_a_lead_with_a_contact(rep):
    # when
    lead = register_lead(
        actor=rep,
        values={"company_name": "有电话公司", "phone": "13812345678"},
        via="import",
        historical=True,
    )
    # then
    assert (lead.is_valid, lead.is_historical, lead.rating) == (True, False, "B")
