"""De-duplication: company-name variants that must match, near-misses that must not, and
the candidate search by phone, email and company key."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loudou.leads.dedupe import (
    company_key,
    company_similarity,
    find_duplicates,
    normalise_company_name,
    parse_company_name,
)
from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead

BASE = "杭州数智科技有限公司"

MUST_MATCH = [
    "杭州数智科技股份有限公司",
    "杭州数智科技",
    "杭州数智科技有限公司（中国）",
    "杭州数智科技有限公司(中国)",
    "ＨＡＮＧＺＨＯＵ数智科技有限公司",
    "杭州 数智 科技",
    "数智科技(杭州)有限公司",
    "数智科技（杭州）有限公司",
    "杭州市数智科技有限公司",
    "杭州数智科技有限责任公司",
    "杭州数智科技集团有限公司",
    "中国杭州数智科技集团有限公司",
    "杭州数智科技有限公司上海分公司",
    "杭州数智科技上海分公司",
    "浙江杭州数智科技有限公司",
    "数智科技",
    "Hangzhou Shuzhi Keji Co., Ltd.",
    "hangzhou shuzhi keji",
    "杭州数智科技有限公司。",
    "  杭州数智科技有限公司  ",
]

MUST_NOT_MATCH = [
    ("杭州数智科技", "杭州数码科技"),
    ("北京恒远建设", "北京恒达建设"),
    ("杭州华泰", "南京华泰"),
    ("杭州华泰科技有限公司", "南京华泰科技有限公司"),
    ("上海明远贸易有限公司", "上海明达贸易有限公司"),
    ("深圳云帆网络科技有限公司", "深圳云海网络科技有限公司"),
    ("广州新华书店", "广州新华医院"),
    ("杭州数智科技", "杭州数智建设"),
    ("北京恒远建设集团", "天津恒远建设集团"),
    ("苏州天成电子有限公司", "苏州天诚电子有限公司"),
    ("成都蓝海软件", "成都蓝天软件"),
    ("Acme Ltd", "Acne Ltd"),
    ("杭州数智科技", "杭州智数科技"),
    ("宁波海天塑机", "宁波海天精工"),
]


@pytest.mark.parametrize("variant", MUST_MATCH)
def test_company_name_variants_match_the_registered_name(variant):
    # given / when
    score = company_similarity(BASE, variant)

    # then
    assert score >= 90, (variant, score)


@pytest.mark.parametrize(("left", "right"), MUST_NOT_MATCH)
def test_near_miss_company_names_do_not_match(left, right):
    # given / when
    score = company_similarity(left, right)

    # then
    assert score < 90, (left, right, score)


def test_normalised_name_puts_the_city_first_and_drops_suffixes():
    assert normalise_company_name("数智科技（杭州）股份有限公司") == "杭州数智科技"
    assert normalise_company_name("ＡＢＣ Co., Ltd.") == "abc"
    assert normalise_company_name("（骗子）科技股份有限公司") == "骗子科技"


def test_a_branch_is_flagged_and_keeps_its_head_office_name():
    # given / when
    parts = parse_company_name("杭州数智科技有限公司上海分公司")

    # then
    assert parts.core == "数智科技"
    assert parts.city == "杭州"
    assert parts.is_branch is True


def test_company_key_is_the_pinyin_of_the_core_for_both_scripts():
    assert company_key("杭州数智科技有限公司") == "shuzhikeji"
    assert company_key("Hangzhou Shuzhi Keji Co., Ltd.") == "shuzhikeji"


def test_empty_and_suffix_only_names_never_match():
    assert company_similarity("", "") == 0.0
    assert company_similarity("有限公司", "") == 0.0
    assert find_duplicates(values={"company_name": ""}) == []


@pytest.mark.django_db
def test_saving_a_lead_stores_its_company_key(rep):
    # given / when
    lead = make_lead(actor=rep, company_name="数智科技(杭州)有限公司")

    # then
    assert Lead.objects.get(pk=lead.pk).company_key == "shuzhikeji"
    assert Lead.objects.get(pk=lead.pk).company_prefix == "shuz"


@pytest.mark.django_db
def test_candidates_share_the_prefix_for_long_and_short_keys(rep):
    # given: a long key ("shuzhikeji"), a short one ("ibm", under KEY_PREFIX letters) and
    # names whose keys share fewer letters
    long_key = make_lead(actor=rep, company_name="杭州数智科技有限公司", phone="13900001111")
    short_key = make_lead(actor=rep, company_name="IBM有限公司", phone="13900002222")
    make_lead(actor=rep, company_name="杭州书香科技有限公司", phone="13900003333")  # "shux…"
    make_lead(actor=rep, company_name="IB有限公司", phone="13900004444")  # "ib"

    # when
    for_long = find_duplicates(values={"company_name": "数智科技股份有限公司"})
    for_short = find_duplicates(values={"company_name": "IBM公司"})

    # then
    assert [m.lead.pk for m in for_long] == [long_key.pk]
    assert [m.lead.pk for m in for_short] == [short_key.pk]
    assert Lead.objects.get(pk=short_key.pk).company_key == "ibm"


@pytest.mark.django_db
def test_duplicates_are_found_by_phone_email_and_company(rep, other_team_rep, marketing):
    # given
    mine = make_lead(actor=rep, company_name="杭州数智科技有限公司", phone="13900001111")
    theirs = make_lead(
        actor=other_team_rep, company_name="无关公司", phone="", email="Li@Example.com"
    )
    pooled = make_lead(actor=marketing, company_name="苏州天成电子", phone="13900002222")
    make_lead(actor=rep, company_name="杭州数码科技有限公司", phone="13900003333")

    # when
    matches = find_duplicates(
        values={
            "company_name": "杭州数智科技股份有限公司",
            "phone": "139 0000 2222",
            "email": "li@example.COM",
        }
    )

    # then
    found = {m.lead.pk: (m.reasons, m.state_for(rep)) for m in matches}
    assert found == {
        mine.pk: (["company"], "mine"),
        theirs.pk: (["email"], "protected"),
        pooled.pk: (["phone"], "pool"),
    }


@pytest.mark.django_db
def test_the_lead_itself_and_merged_leads_are_not_duplicates(rep):
    # given
    lead = make_lead(actor=rep, company_name="杭州数智科技", phone="13900001111")
    gone = make_lead(actor=rep, company_name="杭州数智科技", phone="13900002222")
    Lead.objects.filter(pk=gone.pk).update(merged_into=lead)

    # when
    matches = find_duplicates(values={"company_name": "杭州数智科技"}, exclude_id=lead.pk)

    # then
    assert matches == []


@pytest.mark.django_db
def test_the_company_check_runs_a_bounded_number_of_queries(rep):
    # given
    for index in range(30):
        make_lead(actor=rep, company_name=f"测试{index}号公司", phone="")

    # when
    with CaptureQueriesContext(connection) as queries:
        matches = find_duplicates(values={"company_name": "杭州数智科技"})

    # then
    assert matches == []
    assert len(queries) == 1
