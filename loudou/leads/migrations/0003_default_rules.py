"""Default source channels, grading rules (SPEC §3) and need-match thresholds."""

from django.db import migrations

SOURCES = [
    ("trade_show", "展会", "Trade show"),
    ("website", "官网表单", "Website form"),
    ("partner", "合作伙伴推荐", "Partner referral"),
    ("social", "社交媒体", "Social media"),
    ("customer_referral", "客户转介绍", "Customer referral"),
    ("cold_visit", "陌拜", "Cold visit"),
    ("other", "其他", "Other"),
]

RULES = [
    # intent grade 意向等级
    ("intent", "A", 10, "高意向：需求明确、预算匹配、1个月内决策", {
        "need_level_in": ["explicit"], "budget_fit_in": ["fits"], "decision_cycle_in": ["1m"],
    }),
    ("intent", "B", 20, "中意向：初步兴趣以上，1-3个月内决策", {
        "need_level_in": ["explicit", "initial"], "decision_cycle_in": ["1m", "1_3m"],
    }),
    # customer rating 客户评级
    ("rating", "A", 10, "A：有规模（≥100人）、产品契合、联系方式准确", {
        "min_employees": 100, "need_level_in": ["explicit", "initial"], "has_valid_contact": True,
    }),
    ("rating", "A", 20, "A：试用用户或主动咨询", {
        "customer_type_in": ["trial", "inbound"], "has_valid_contact": True,
    }),
    ("rating", "B", 30, "B：一般企业，需求不确定", {"has_valid_contact": True}),
]


def load(apps, schema_editor):
    source = apps.get_model("leads", "SourceChannel")
    for order, (code, name, name_en) in enumerate(SOURCES):
        source.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "order": order})
    rule = apps.get_model("leads", "GradeRule")
    if not rule.objects.exists():
        for kind, grade, priority, name, conditions in RULES:
            rule.objects.create(kind=kind, grade=grade, priority=priority, name=name, conditions=conditions)
    apps.get_model("leads", "NeedMatchPolicy").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("leads", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
