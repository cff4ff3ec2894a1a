"""The company-wide exception thresholds with their defaults (the fields' defaults)."""

from django.db import migrations


def load(apps, schema_editor):
    thresholds = apps.get_model("health", "Thresholds")
    if not thresholds.objects.filter(team=None).exists():
        thresholds.objects.create(team=None)


class Migration(migrations.Migration):
    dependencies = [("health", "0001_cases_thresholds_reports")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
