"""Mark the default pipeline's 意向客户(商机) stage as the one where opportunities begin."""

from django.db import migrations


def load(apps, schema_editor):
    stage_model = apps.get_model("pipeline", "Stage")
    stage_model.objects.filter(
        pipeline__name="标准销售漏斗", code="opportunity", is_opportunity=False
    ).update(is_opportunity=True)


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0003_stage_is_opportunity")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
