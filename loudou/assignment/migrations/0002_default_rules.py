"""The default assignment rules (SPEC §4), in priority order; editable in the admin."""

from django.db import migrations

RULES = [
    (10, "specialty", "按擅长行业/区域", {}),
    (
        20,
        "grade_seniority",
        "按等级匹配资历",
        {"A": ["senior_rep"], "B": ["senior_rep", "junior_rep"], "C": ["junior_rep", "assistant"]},
    ),
    (30, "capacity", "按容量均衡", {}),
    (40, "round_robin", "组内加权轮询", {"weights": {}}),
]


def load(apps, schema_editor):
    AssignmentRule = apps.get_model("assignment", "AssignmentRule")
    for order, kind, name, settings in RULES:
        AssignmentRule.objects.get_or_create(
            kind=kind, name=name, defaults={"order": order, "settings": settings}
        )


class Migration(migrations.Migration):
    dependencies = [("assignment", "0001_pools_rules_handover")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
