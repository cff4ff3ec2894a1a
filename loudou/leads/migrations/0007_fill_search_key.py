"""Fill Lead.search_key (pinyin) for leads registered before it existed."""

from django.db import migrations
from pypinyin import Style, lazy_pinyin


def _key(*texts):
    keys = []
    for text in texts:
        if text:
            keys.append("".join(p for p in lazy_pinyin(text, style=Style.FIRST_LETTER) if p.strip()).lower())
            keys.append("".join(p for p in lazy_pinyin(text) if p.strip()).lower())
    return " ".join(keys)[:500]


def fill(apps, schema_editor):
    lead_model = apps.get_model("leads", "Lead")
    batch = []
    for lead in lead_model.objects.filter(search_key="").only("id", "company_name", "contact_name").iterator(chunk_size=2000):
        lead.search_key = _key(lead.company_name, lead.contact_name)
        batch.append(lead)
        if len(batch) >= 2000:
            lead_model.objects.bulk_update(batch, ["search_key"])
            batch = []
    lead_model.objects.bulk_update(batch, ["search_key"])


class Migration(migrations.Migration):
    dependencies = [("leads", "0006_search_key_and_saved_views")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
