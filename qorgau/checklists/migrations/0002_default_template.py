from django.db import migrations
from django.utils import timezone

from qorgau.checklists.default_template import load_default_template


def load(apps, schema_editor):
    load_default_template(
        ChecklistTemplate=apps.get_model("checklists", "ChecklistTemplate"),
        TemplateVersion=apps.get_model("checklists", "TemplateVersion"),
        Section=apps.get_model("checklists", "Section"),
        Item=apps.get_model("checklists", "Item"),
        published_at=timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [("checklists", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
