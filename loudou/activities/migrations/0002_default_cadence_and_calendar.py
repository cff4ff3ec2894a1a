"""Default objection taxonomy, cadence rules (SPEC §5) and working hours (Mon-Fri 9-18).

Holidays are not seeded: the official schedule is published each year; admins enter it.
"""

import datetime

from django.db import migrations

OBJECTIONS = [
    ("价格太高", "Price too high"),
    ("暂无需求", "No need right now"),
    ("已有供应商", "Has a supplier"),
    ("需要内部讨论", "Needs internal discussion"),
    ("预算未批", "Budget not approved"),
    ("时机不对", "Bad timing"),
    ("功能不满足", "Missing features"),
    ("决策人未参与", "Decision maker not involved"),
    ("担心实施风险", "Worried about implementation risk"),
    ("其他", "Other"),
]
# grade → (first response in working hours, days between touches): high intent gets the
# optimisation toolkit's 2 h first response and weekly touches; medium bi-weekly; low monthly.
# first response: 2 working hours for high intent (toolkit), 48 h ≈ two working days (18 h of
# 09:00-18:00) otherwise; then a touch every 7 / 14 / 30 days
CADENCE = {"A": (2, 7), "B": (18, 14), "C": (18, 30)}
WORKDAYS = range(5)
DAY_START, DAY_END = datetime.time(9, 0), datetime.time(18, 0)


def load(apps, schema_editor):
    ObjectionType = apps.get_model("activities", "ObjectionType")
    for order, (name, name_en) in enumerate(OBJECTIONS):
        ObjectionType.objects.get_or_create(name=name, defaults={"name_en": name_en, "order": order})
    CadenceRule = apps.get_model("activities", "CadenceRule")
    for grade, (hours, days) in CADENCE.items():
        CadenceRule.objects.get_or_create(
            grade=grade, defaults={"first_response_hours": hours, "touch_interval_days": days}
        )
    WorkingHours = apps.get_model("activities", "WorkingHours")
    if not WorkingHours.objects.exists():
        for weekday in WORKDAYS:
            WorkingHours.objects.create(weekday=weekday, start=DAY_START, end=DAY_END)


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
