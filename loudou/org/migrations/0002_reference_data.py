"""Default regions, industries and product lines (editable afterwards)."""

from django.db import migrations

REGIONS = [
    ("华东", "East China"),
    ("华南", "South China"),
    ("华北", "North China"),
    ("华中", "Central China"),
    ("西南", "Southwest China"),
    ("西北", "Northwest China"),
    ("东北", "Northeast China"),
]
INDUSTRIES = [
    ("制造业", "Manufacturing"),
    ("零售业", "Retail"),
    ("服务业", "Services"),
    ("软件与信息技术", "Software & IT"),
    ("金融", "Finance"),
    ("医疗健康", "Healthcare"),
    ("教育", "Education"),
    ("物流", "Logistics"),
    ("建筑与地产", "Construction & Real estate"),
    ("其他", "Other"),
]
PRODUCT_LINES = [("标准版", "Standard"), ("企业版", "Enterprise"), ("实施服务", "Services")]


def load(apps, schema_editor):
    for model_name, rows in [
        ("Region", REGIONS),
        ("Industry", INDUSTRIES),
        ("ProductLine", PRODUCT_LINES),
    ]:
        model = apps.get_model("org", model_name)
        for order, (name, name_en) in enumerate(rows):
            model.objects.get_or_create(name=name, defaults={"name_en": name_en, "order": order})


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
