# Text search through an index (ADR 0021): on PostgreSQL, pg_trgm GIN indexes on the
# expressions the search's icontains/contains/endswith produce; on SQLite, an FTS5 table
# with the trigram tokenizer over the same columns, kept in step with leads_lead by
# triggers (so that bulk_create, queryset update() and raw SQL keep it right too).
# Neither is in the model state: each exists on one database only.
#
# PostgreSQL builds the indexes CONCURRENTLY (writes to leads go on meanwhile), so this
# migration is not atomic there; SQLite's part runs in one transaction.

from django.db import migrations

COLUMNS = "company_name, contact_name, search_key, phone"

SQLITE_FORWARD = [
    # detail=none: rowids only, no positions (a quarter of the size of detail=full); the
    # search asks for every trigram of a term and rechecks the candidates with the
    # original predicates, so no phrase queries are needed
    f"""CREATE VIRTUAL TABLE leads_lead_search USING fts5({COLUMNS},
        content='leads_lead', content_rowid='id',
        tokenize='trigram case_sensitive 0', detail='none')""",
    f"""CREATE TRIGGER leads_lead_search_insert AFTER INSERT ON leads_lead BEGIN
        INSERT INTO leads_lead_search(rowid, {COLUMNS})
        VALUES (new.id, new.company_name, new.contact_name, new.search_key, new.phone);
    END""",
    f"""CREATE TRIGGER leads_lead_search_delete AFTER DELETE ON leads_lead BEGIN
        INSERT INTO leads_lead_search(leads_lead_search, rowid, {COLUMNS})
        VALUES ('delete', old.id, old.company_name, old.contact_name, old.search_key,
                old.phone);
    END""",
    # save() writes every column: re-index only when a searched one changed
    f"""CREATE TRIGGER leads_lead_search_update AFTER UPDATE ON leads_lead
    WHEN old.id IS NOT new.id OR old.company_name IS NOT new.company_name
        OR old.contact_name IS NOT new.contact_name OR old.search_key IS NOT new.search_key
        OR old.phone IS NOT new.phone
    BEGIN
        INSERT INTO leads_lead_search(leads_lead_search, rowid, {COLUMNS})
        VALUES ('delete', old.id, old.company_name, old.contact_name, old.search_key,
                old.phone);
        INSERT INTO leads_lead_search(rowid, {COLUMNS})
        VALUES (new.id, new.company_name, new.contact_name, new.search_key, new.phone);
    END""",
    "INSERT INTO leads_lead_search(leads_lead_search) VALUES ('rebuild')",
]

SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS leads_lead_search_insert",
    "DROP TRIGGER IF EXISTS leads_lead_search_delete",
    "DROP TRIGGER IF EXISTS leads_lead_search_update",
    "DROP TABLE IF EXISTS leads_lead_search",
]

#: name → indexed expression: exactly what Django writes for icontains (UPPER(col::text)),
#: contains and endswith (col::text; the cast is a relabel the planner sees through)
POSTGRES_INDEXES = {
    "lead_search_company": 'UPPER("company_name"::text) gin_trgm_ops',
    "lead_search_contact": 'UPPER("contact_name"::text) gin_trgm_ops',
    "lead_search_key": '"search_key" gin_trgm_ops',
    "lead_search_phone": '"phone" gin_trgm_ops',
}


def forward_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)


def reverse_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_REVERSE:
            schema_editor.execute(sql)


def forward_postgres(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension: the database's owner may create it
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in POSTGRES_INDEXES.items():
        # a build interrupted earlier leaves an invalid index behind: start it again
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
        schema_editor.execute(
            f'CREATE INDEX CONCURRENTLY "{name}" ON "leads_lead" USING gin ({expression})'
        )
    # the statistics of the new expressions (the planner weighs a term's frequency by
    # them) are gathered after the migrations by core.database.after_migrate


def reverse_postgres(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in POSTGRES_INDEXES:
            schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("leads", "0015_board_and_list_indexes"),
    ]

    operations = [
        migrations.RunPython(forward_sqlite, reverse_sqlite, atomic=True),
        migrations.RunPython(forward_postgres, reverse_postgres, atomic=False),
    ]
