"""Concurrent partial edits of one lead keep every field each of them changed: the row
is read again under the write lock and only changed fields are written."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from loudou.leads.models import Lead
from loudou.leads.services.grading import apply_grades
from loudou.leads.tests.factories import make_lead
from loudou.org.models import Industry, Region
from loudou.org.services import issue_api_token


def _patches() -> list[dict]:
    """Twenty edits, each of another field, all different from the lead's values."""
    return [
        {"company_name": "宁波并发测试有限公司"},
        {"contact_name": "赵敏"},
        {"contact_title": "采购经理"},
        {"wechat": "wx_concurrent"},
        {"email": "zhao@example.com"},
        {"need_description": "需要排产系统"},
        {"pain_point": "交期总是延误"},
        {"notes": "第二次展会再见"},
        {"employees": 350},
        {"annual_revenue": "8000.00"},
        {"budget_min": "10.00"},
        {"budget_max": "15.00"},
        {"expected_purchase_date": "2027-03-01"},
        {"decision_cycle": "1m"},
        {"need_level": "explicit"},
        {"budget_fit": "fits"},
        {"customer_type": "referral"},
        {"purchasing_power": "high"},
        {"industry_id": Industry.objects.get_or_create(name="制造业")[0].pk},
        {"region_id": Region.objects.get_or_create(name="华东")[0].pk},
    ]


def _stored(lead: Lead, name: str):
    value = getattr(lead, name.removesuffix("_id") if name.endswith("_id") else name)
    if name.endswith("_id"):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_patches_of_different_fields_all_stick(rep):
    # given
    lead = make_lead(actor=rep, company_name="宁波示例")
    token = issue_api_token(user=rep)
    patches = _patches()
    start = threading.Barrier(len(patches))

    def send(body: dict) -> int:
        try:
            start.wait(timeout=30)
            response = Client().patch(
                f"/api/leads/{lead.pk}",
                json.dumps(body),
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}"},
            )
            return response.status_code
        finally:
            connection.close()

    # when
    with ThreadPoolExecutor(max_workers=len(patches)) as pool:
        statuses = list(pool.map(send, patches))

    # then
    assert statuses == [200] * len(patches)
    lead = Lead.objects.get(pk=lead.pk)
    wanted = {name: value for body in patches for name, value in body.items()}
    assert {name: _stored(lead, name) for name in wanted} == wanted
    grades = (lead.intent_grade_auto, lead.rating_auto)
    apply_grades(lead)
    assert (lead.intent_grade_auto, lead.rating_auto) == grades
