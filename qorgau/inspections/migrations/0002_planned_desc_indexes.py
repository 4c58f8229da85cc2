"""Indexes in the inspection list's order: newest planned date first, undated inspections last.

PostgreSQL's descending order puts NULLs first, so its index must say NULLS LAST to serve the list's
ORDER BY; SQLite's descending order already puts NULLs last and refuses a NULLS clause in an index.
A model's Meta cannot say this per database, so these two indexes live here only."""

from django.db import migrations

from qorgau.core.dbstats import analyze

INDEXES = {
    "inspection_planned_desc": "planned_on DESC{nulls}, id",
    "inspection_district_planned": "district_id, planned_on DESC{nulls}",
}


def create(apps, schema_editor):
    nulls = " NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    for name, columns in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "inspections_inspection" ({columns.format(nulls=nulls)})'
        )


def drop(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False), analyze("inspections_inspection")]
