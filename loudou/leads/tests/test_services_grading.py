import pytest
from django.core.exceptions import ValidationError

from loudou.core import audit
from loudou.core.models import Event
from loudou.leads.models import GradeRule, Lead, NeedItem, NeedMatchPolicy
from loudou.leads.services import assess_needs, override_grade, update_lead
from loudou.leads.services.grading import need_match_conclusion
from loudou.leads.tests.factories import make_lead


def intent_rule(grade: str) -> GradeRule:
    return GradeRule.objects.get(kind="intent", grade=grade)


def needs(*scores: int) -> list[dict]:
    return [{"need": f"需求{i}", "score": score} for i, score in enumerate(scores, start=1)]


# intent grade ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("need_level", "budget_fit", "decision_cycle", "grade"),
    [
        ("explicit", "fits", "1m", "A"),
        ("explicit", "fits", "1_3m", "B"),
        ("explicit", "tight", "1m", "B"),
        ("initial", "fits", "1m", "B"),
        ("initial", "unknown", "1_3m", "B"),
        ("aware", "fits", "1m", "C"),
        ("unknown", "fits", "1m", "C"),
        ("explicit", "fits", "3m_plus", "C"),
        ("explicit", "fits", "unknown", "C"),
        ("unknown", "unknown", "unknown", "C"),
    ],
)
def test_default_intent_rules_grade_the_lead(rep, need_level, budget_fit, decision_cycle, grade):
    # when
    lead = make_lead(
        actor=rep, need_level=need_level, budget_fit=budget_fit, decision_cycle=decision_cycle
    )

    # then
    lead.refresh_from_db()
    assert (lead.intent_grade_auto, lead.intent_grade) == (grade, grade)


# customer rating ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "rating"),
    [
        ({"employees": 100, "need_level": "explicit"}, "A"),
        ({"employees": 5000, "need_level": "initial"}, "A"),
        ({"employees": 99, "need_level": "explicit"}, "B"),
        ({"employees": 500, "need_level": "aware"}, "B"),
        ({"customer_type": "trial"}, "A"),
        ({"customer_type": "inbound"}, "A"),
        ({"customer_type": "referral"}, "B"),
        ({"customer_type": "ordinary"}, "B"),
        ({"phone": "", "email": "wang@example.com"}, "B"),
        ({"phone": "", "wechat": "wangwei_88"}, "B"),
        ({"phone": ""}, "C"),
        ({"phone": "", "employees": 500, "need_level": "explicit"}, "C"),
        ({"phone": "", "customer_type": "trial"}, "C"),
    ],
)
def test_default_rating_rules_rate_the_lead(rep, values, rating):
    # when
    lead = make_lead(actor=rep, **values)

    # then
    lead.refresh_from_db()
    assert (lead.rating_auto, lead.rating) == (rating, rating)


# edited rules ---------------------------------------------------------------------------


def test_edited_intent_rule_grades_new_leads(rep):
    # given
    before = make_lead(actor=rep, need_level="explicit", budget_fit="fits", decision_cycle="1_3m")
    rule = intent_rule("A")
    rule.conditions = {**rule.conditions, "decision_cycle_in": ["1m", "1_3m"]}
    rule.full_clean()
    rule.save()

    # when
    after = make_lead(actor=rep, need_level="explicit", budget_fit="fits", decision_cycle="1_3m")

    # then
    assert before.intent_grade == "B"
    assert after.intent_grade == "A"


def test_edited_rating_rule_regrades_a_lead_when_it_is_saved_again(rep):
    # given
    lead = make_lead(actor=rep, employees=200, need_level="explicit")
    assert lead.rating == "A"
    rule = GradeRule.objects.get(kind="rating", priority=10)
    rule.conditions = {**rule.conditions, "min_employees": 500}
    rule.full_clean()
    rule.save()

    # when
    update_lead(actor=rep, lead=lead, values={})

    # then
    lead.refresh_from_db()
    assert (lead.rating_auto, lead.rating) == ("B", "B")
    assert audit.history(lead).first().changes == [
        {"field": "rating_auto", "before": "A", "after": "B"},
        {"field": "rating", "before": "A", "after": "B"},
    ]


def test_deactivated_rule_no_longer_grades(rep):
    # given
    GradeRule.objects.filter(kind="intent", grade="A").update(is_active=False)

    # when
    lead = make_lead(actor=rep, need_level="explicit", budget_fit="fits", decision_cycle="1m")

    # then
    assert lead.intent_grade == "B"


def test_rule_on_source_and_revenue_grades_matching_leads(rep):
    # given
    GradeRule.objects.create(
        kind="intent",
        grade="A",
        priority=1,
        name="展会大客户",
        conditions={"source_in": ["trade_show"], "min_annual_revenue": 1000},
    )
    from loudou.leads.models import SourceChannel

    trade_show = SourceChannel.objects.get(code="trade_show")

    # when
    big = make_lead(actor=rep, source=trade_show, annual_revenue="1000.00")
    small = make_lead(actor=rep, source=trade_show, annual_revenue="999.99")

    # then
    assert (big.intent_grade, small.intent_grade) == ("A", "C")


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ({"colour_in": ["red"]}, "未知条件：colour_in"),
        (
            {"need_level_in": ["urgent"]},
            "need_level_in 只能取 explicit, initial, aware, unknown 中的值。",
        ),
        (
            {"decision_cycle_in": "1m"},
            "decision_cycle_in 只能取 1m, 1_3m, 3m_plus, unknown 中的值。",
        ),
        (
            {"budget_fit_in": [["fits"]]},
            "budget_fit_in 只能取 fits, tight, none, unknown 中的值。",
        ),
        (
            {"customer_type_in": ["vip"]},
            "customer_type_in 只能取 inbound, trial, referral, ordinary 中的值。",
        ),
        ({"source_in": ["nowhere"]}, "source_in 含有未知的线索来源。"),
        ({"source_in": [{"code": "website"}]}, "source_in 含有未知的线索来源。"),
        ({"min_employees": -1}, "min_employees 必须是非负数。"),
        ({"min_employees": True}, "min_employees 必须是非负数。"),
        ({"min_annual_revenue": "1000"}, "min_annual_revenue 必须是非负数。"),
        ({"has_valid_contact": "yes"}, "has_valid_contact 必须是 true 或 false。"),
        (["need_level_in"], "条件必须是键值对象。"),
    ],
)
def test_rule_with_unknown_condition_key_or_value_is_refused(db, conditions, message):
    # given
    rule = GradeRule(kind="intent", grade="A", priority=5, name="测试规则", conditions=conditions)

    # when
    with pytest.raises(ValidationError) as refused:
        rule.full_clean()

    # then
    assert refused.value.message_dict == {"conditions": [message]}


def test_rule_with_known_conditions_passes_validation(db):
    # given
    rule = GradeRule(
        kind="rating",
        grade="A",
        priority=5,
        name="测试规则",
        conditions={
            "need_level_in": ["explicit"],
            "budget_fit_in": ["fits", "tight"],
            "decision_cycle_in": ["1m"],
            "customer_type_in": ["trial"],
            "source_in": ["website", "partner"],
            "min_employees": 50,
            "min_annual_revenue": 1000.5,
            "has_valid_contact": True,
        },
    )

    # when / then
    rule.full_clean()


# manual override ------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_override_without_reason_is_refused_and_nothing_is_written(rep, manager, reason):
    # given
    lead = make_lead(actor=rep)
    events = Event.objects.count()

    # when
    with pytest.raises(ValidationError) as refused:
        override_grade(lead=lead, actor=manager, kind="intent", grade="A", reason=reason)

    # then
    assert refused.value.message_dict == {"reason": ["人工调整等级必须填写原因。"]}
    assert Event.objects.count() == events
    stored = Lead.objects.get(pk=lead.pk)
    assert (stored.intent_grade_override, stored.intent_grade) == ("", "C")


@pytest.mark.parametrize(
    ("kind", "grade", "field"),
    [("urgency", "A", "kind"), ("intent", "D", "grade"), ("rating", "a", "grade")],
)
def test_override_of_unknown_kind_or_grade_is_refused(rep, manager, kind, grade, field):
    # given
    lead = make_lead(actor=rep)
    events = Event.objects.count()

    # when
    with pytest.raises(ValidationError) as refused:
        override_grade(lead=lead, actor=manager, kind=kind, grade=grade, reason="老客户")

    # then
    assert list(refused.value.message_dict) == [field]
    assert Event.objects.count() == events


def test_intent_override_sets_the_grade_and_records_before_and_after(rep, manager):
    # given
    lead = make_lead(actor=rep)

    # when
    override_grade(lead=lead, actor=manager, kind="intent", grade="A", reason="老板亲自来电")

    # then
    lead.refresh_from_db()
    assert (lead.intent_grade_auto, lead.intent_grade_override, lead.intent_grade) == (
        "C",
        "A",
        "A",
    )
    assert lead.intent_override_reason == "老板亲自来电"
    event = audit.history(lead).first()
    assert (event.verb, event.actor, event.reason) == (
        "lead.grade_override",
        manager,
        "老板亲自来电",
    )
    assert event.changes == [
        {"field": "intent_grade_override", "before": "", "after": "A"},
        {"field": "intent_grade", "before": "C", "after": "A"},
    ]


def test_rating_override_sets_the_rating_and_leaves_the_intent_grade(rep, manager):
    # given
    lead = make_lead(actor=rep)

    # when
    override_grade(lead=lead, actor=manager, kind="rating", grade="C", reason="联系人已离职")

    # then
    lead.refresh_from_db()
    assert (lead.rating_auto, lead.rating_override, lead.rating) == ("B", "C", "C")
    assert lead.rating_override_reason == "联系人已离职"
    assert (lead.intent_grade_override, lead.intent_grade) == ("", "C")
    assert audit.history(lead).first().changes == [
        {"field": "rating_override", "before": "", "after": "C"},
        {"field": "rating", "before": "B", "after": "C"},
    ]


def test_clearing_the_override_returns_to_the_automatic_grade(rep, manager):
    # given
    lead = make_lead(actor=rep, need_level="initial", decision_cycle="1_3m")
    override_grade(lead=lead, actor=manager, kind="intent", grade="A", reason="老板亲自来电")

    # when
    override_grade(lead=lead, actor=manager, kind="intent", grade="", reason="已核实，恢复规则")

    # then
    lead.refresh_from_db()
    assert (lead.intent_grade_auto, lead.intent_grade_override, lead.intent_grade) == (
        "B",
        "",
        "B",
    )
    assert lead.intent_override_reason == ""
    event = audit.history(lead).first()
    assert event.reason == "已核实，恢复规则"
    assert event.changes == [
        {"field": "intent_grade_override", "before": "A", "after": ""},
        {"field": "intent_grade", "before": "A", "after": "B"},
    ]


def test_override_survives_input_changes_while_the_automatic_grade_follows(rep, manager):
    # given
    lead = make_lead(actor=rep, need_level="explicit", budget_fit="fits", decision_cycle="1m")
    override_grade(lead=lead, actor=manager, kind="intent", grade="B", reason="预算需再确认")

    # when
    update_lead(actor=rep, lead=lead, values={"decision_cycle": "3m_plus"})

    # then
    lead.refresh_from_db()
    assert (lead.intent_grade_auto, lead.intent_grade_override, lead.intent_grade) == (
        "C",
        "B",
        "B",
    )
    assert lead.intent_override_reason == "预算需再确认"
    assert audit.history(lead).first().changes == [
        {"field": "decision_cycle", "before": "1m", "after": "3m_plus"},
        {"field": "intent_grade_auto", "before": "A", "after": "C"},
    ]


# need match -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "total", "level"),
    [
        ((5, 5, 4, 3, 3), 20, "high"),
        ((5, 5, 5, 5, 5), 25, "high"),
        ((5, 5, 5, 4), 19, "medium"),
        ((4, 3, 3), 10, "medium"),
        ((5, 4), 9, "low"),
        ((1,), 1, "low"),
    ],
)
def test_need_match_is_totalled_and_classified_with_default_thresholds(rep, scores, total, level):
    # given
    lead = make_lead(actor=rep)

    # when
    assess_needs(lead=lead, actor=rep, needs=needs(*scores))

    # then
    lead.refresh_from_db()
    assert (lead.need_match_total, lead.need_match_level) == (total, level)
    assert [(n.need, n.score) for n in lead.needs.all()] == [
        (f"需求{i}", score) for i, score in enumerate(scores, start=1)
    ]


def test_need_assessment_replaces_the_previous_sheet_and_is_recorded(rep):
    # given
    lead = make_lead(actor=rep)
    assess_needs(lead=lead, actor=rep, needs=needs(5, 5, 5, 5))

    # when
    assess_needs(
        lead=lead,
        actor=rep,
        needs=[{"need": "库存管理", "score": 3}, {"need": "移动审批", "score": "2"}],
        purchasing_power="low",
    )

    # then
    lead.refresh_from_db()
    assert (lead.need_match_total, lead.need_match_level, lead.purchasing_power) == (
        5,
        "low",
        "low",
    )
    assert [(n.need, n.score) for n in lead.needs.all()] == [("库存管理", 3), ("移动审批", 2)]
    assert NeedItem.objects.count() == 2
    event = audit.history(lead).first()
    assert (event.verb, event.actor) == ("lead.needs_assessed", rep)
    assert event.changes == [
        {"field": "need_match_total", "before": 20, "after": 5},
        {"field": "need_match_level", "before": "high", "after": "low"},
        {"field": "purchasing_power", "before": "medium", "after": "low"},
        {
            "field": "needs",
            "before": ["需求1: 5", "需求2: 5", "需求3: 5", "需求4: 5"],
            "after": ["库存管理: 3", "移动审批: 2"],
        },
    ]


def test_empty_need_sheet_has_no_match_level(rep):
    # given
    lead = make_lead(actor=rep)
    assess_needs(lead=lead, actor=rep, needs=needs(5, 5))

    # when
    assess_needs(lead=lead, actor=rep, needs=[])

    # then
    lead.refresh_from_db()
    assert (lead.need_match_total, lead.need_match_level) == (0, "")
    assert NeedItem.objects.count() == 0


@pytest.mark.parametrize(
    ("scores", "total", "level"),
    [
        ((5, 5, 5), 15, "high"),
        ((5, 5, 4), 14, "medium"),
        ((4, 4), 8, "medium"),
        ((5, 2), 7, "low"),
    ],
)
def test_need_match_follows_edited_thresholds(rep, scores, total, level):
    # given
    policy = NeedMatchPolicy.current()
    policy.high_min, policy.medium_min = 15, 8
    policy.full_clean()
    policy.save()
    lead = make_lead(actor=rep)

    # when
    assess_needs(lead=lead, actor=rep, needs=needs(*scores))

    # then
    lead.refresh_from_db()
    assert (lead.need_match_total, lead.need_match_level) == (total, level)


@pytest.mark.parametrize("bad_score", [0, 6, "0", "6", "", None, "五", "NaN", "Infinity", -1])
def test_need_score_outside_1_to_5_is_refused_and_nothing_is_written(rep, bad_score):
    # given
    lead = make_lead(actor=rep)
    assess_needs(lead=lead, actor=rep, needs=needs(4, 4))
    events = Event.objects.count()

    # when
    with pytest.raises(ValidationError) as refused:
        assess_needs(
            lead=lead,
            actor=rep,
            needs=[{"need": "库存管理", "score": 3}, {"need": "移动审批", "score": bad_score}],
        )

    # then
    assert refused.value.message_dict == {"needs": ["第2项需求的得分必须是1到5。"]}
    assert Event.objects.count() == events
    lead.refresh_from_db()
    assert (lead.need_match_total, lead.need_match_level) == (8, "low")
    assert [(n.need, n.score) for n in lead.needs.all()] == [("需求1", 4), ("需求2", 4)]


@pytest.mark.parametrize(
    ("need", "message"),
    [("   ", "第1项需求未填写内容。"), ("需" * 201, "第1项需求超过200字。")],
)
def test_need_without_text_or_too_long_is_refused(rep, need, message):
    # given
    lead = make_lead(actor=rep)

    # when
    with pytest.raises(ValidationError) as refused:
        assess_needs(lead=lead, actor=rep, needs=[{"need": need, "score": 3}])

    # then
    assert refused.value.message_dict == {"needs": [message]}
    assert NeedItem.objects.count() == 0


def test_need_holding_an_id_card_number_is_refused(rep):
    # given
    lead = make_lead(actor=rep)

    # when
    with pytest.raises(ValidationError) as refused:
        assess_needs(lead=lead, actor=rep, needs=[{"need": "身份证11010519491231002X", "score": 3}])

    # then
    assert list(refused.value.message_dict) == ["needs"]
    assert NeedItem.objects.count() == 0


def test_unknown_purchasing_power_is_refused(rep):
    # given
    lead = make_lead(actor=rep)

    # when
    with pytest.raises(ValidationError) as refused:
        assess_needs(lead=lead, actor=rep, needs=needs(3), purchasing_power="huge")

    # then
    assert refused.value.message_dict == {"purchasing_power": ["购买力只能是强、中、弱。"]}
    assert NeedItem.objects.count() == 0


@pytest.mark.parametrize(
    ("scores", "purchasing_power", "conclusion"),
    [
        ((5, 5, 5, 5), "high", "重点跟进：需求高度匹配且购买力强"),
        ((5, 5, 5, 5), "low", "培育：需求匹配但购买力弱，可推荐分期或轻量方案"),
        ((4, 4, 4), "medium", "常规跟进"),
        ((2, 2), "high", "谨慎投入：购买力强但需求匹配低，确认是否有其他需求"),
        ((2, 2), "low", "暂缓：需求与购买力均不足"),
    ],
)
def test_need_match_conclusion_combines_match_and_purchasing_power(
    rep, scores, purchasing_power, conclusion
):
    # given
    lead = make_lead(actor=rep)

    # when
    assess_needs(lead=lead, actor=rep, needs=needs(*scores), purchasing_power=purchasing_power)

    # then
    assert need_match_conclusion(lead) == conclusion


def test_unassessed_lead_has_no_conclusion(rep):
    # given
    lead = make_lead(actor=rep)

    # when / then
    assert need_match_conclusion(lead) == ""


def test_a_fractional_need_score_is_refused_and_nothing_written(rep):
    # given
    lead = make_lead(actor=rep)
    # when / then
    with pytest.raises(ValidationError):
        assess_needs(lead=lead, actor=rep, needs=[{"need": "报表自动化", "score": "4.7"}])
    assert lead.needs.count() == 0


def test_a_rule_with_an_empty_list_condition_is_refused():
    # given
    rule = GradeRule(kind="intent", grade="A", name="空条件", conditions={"need_level_in": []})
    # when / then
    with pytest.raises(ValidationError):
        rule.full_clean()
