"""The organisation's task quality-grade bands with their defaults (SPEC §10): above 120 %
of the target excellent, 100-120 % good, 80-100 % pass, below 80 % fail."""

from django.db import migrations

DEFAULTS = {"excellent_above": 120, "good_from": 100, "pass_from": 80}


def load(apps, schema_editor):
    GradeBands = apps.get_model("teamwork", "GradeBands")
    GradeBands.objects.get_or_create(pk=1, defaults=DEFAULTS)


class Migration(migrations.Migration):
    dependencies = [("teamwork", "0001_tasks_meetings_training_projects")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
