"""Fill Lead.company_key (the de-duplication key) for leads registered before it existed.

Uses the live `company_key` function: the key must equal what Lead.save() writes today.
"""

from django.db import migrations


def fill(apps, schema_editor):
    from loudou.leads.dedupe import company_key

    lead_model = apps.get_model("leads", "Lead")
    batch = []
    rows = lead_model.objects.filter(company_key="").only("id", "company_name")
    for lead in rows.iterator(chunk_size=2000):
        lead.company_key = company_key(lead.company_name)
        batch.append(lead)
        if len(batch) >= 2000:
            lead_model.objects.bulk_update(batch, ["company_key"])
            batch = []
    lead_model.objects.bulk_update(batch, ["company_key"])


class Migration(migrations.Migration):
    dependencies = [("leads", "0008_dedupe_key_and_merge")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
