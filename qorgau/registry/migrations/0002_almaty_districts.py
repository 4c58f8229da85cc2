from django.db import migrations

from qorgau.registry.districts import ALMATY_DISTRICTS


def load(apps, schema_editor):
    District = apps.get_model("registry", "District")
    for code, ru, kk, en, office in ALMATY_DISTRICTS:
        District.objects.update_or_create(
            code=code,
            defaults={"name_ru": ru, "name_kk": kk, "name_en": en, "police_office": office, "city": "Алматы"},
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
