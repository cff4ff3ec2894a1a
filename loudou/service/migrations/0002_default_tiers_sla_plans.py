"""Default tiers, SLAs and maintenance plans (SPEC §9): VIP from 50万 a year, 重点 from
20万, 普通 below; VIP tickets answered within 2 working hours and solved within 24, 重点
4 h / 48 h, 普通 4 h / 72 h; one plan per tier with its usual actions."""

from decimal import Decimal

from django.db import migrations

THRESHOLDS = {"vip": Decimal("500000"), "key": Decimal("200000"), "normal": Decimal("0")}
SLA = {"vip": (2, 24), "key": (4, 48), "normal": (4, 72)}
PLANS = {
    "vip": (
        "VIP客户维护计划",
        "保持高复购与高满意度，争取转介绍",
        (90, Decimal("4.5"), 3),
        [
            ("greeting", "节日问候", "quarterly", "customer_owner"),
            ("report", "行业报告", "monthly", "customer_owner"),
            ("visit", "季度拜访", "quarterly", "team_manager"),
            ("training", "产品培训", "yearly", "customer_owner"),
        ],
    ),
    "key": (
        "重点客户维护计划",
        "提升复购率，培养为VIP客户",
        (70, Decimal("4.2"), 1),
        [
            ("greeting", "节日问候", "quarterly", "customer_owner"),
            ("report", "行业报告", "quarterly", "customer_owner"),
            ("visit", "年度拜访", "yearly", "customer_owner"),
        ],
    ),
    "normal": (
        "普通客户维护计划",
        "保持联系，发现新的采购需求",
        (40, Decimal("4.0"), None),
        [
            ("greeting", "节日问候", "yearly", "customer_owner"),
            ("report", "行业报告", "quarterly", "customer_owner"),
        ],
    ),
}


def load(apps, schema_editor):
    TierThreshold = apps.get_model("service", "TierThreshold")
    SlaPolicy = apps.get_model("service", "SlaPolicy")
    MaintenancePlan = apps.get_model("service", "MaintenancePlan")
    PlanAction = apps.get_model("service", "PlanAction")
    for tier, amount in THRESHOLDS.items():
        TierThreshold.objects.get_or_create(tier=tier, defaults={"min_amount": amount})
    for tier, (response, resolution) in SLA.items():
        SlaPolicy.objects.get_or_create(
            tier=tier, defaults={"response_hours": response, "resolution_hours": resolution}
        )
    for tier, (name, goals, (repurchase, satisfaction, referrals), actions) in PLANS.items():
        plan, created = MaintenancePlan.objects.get_or_create(
            tier=tier,
            defaults={
                "name": name,
                "goals": goals,
                "target_repurchase_pct": repurchase,
                "target_satisfaction": satisfaction,
                "target_referrals": referrals,
            },
        )
        if created:
            for kind, title, frequency, owner_rule in actions:
                PlanAction.objects.create(
                    plan=plan, kind=kind, title=title, frequency=frequency, owner_rule=owner_rule
                )


class Migration(migrations.Migration):
    dependencies = [("service", "0001_tiers_plans_tickets")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
