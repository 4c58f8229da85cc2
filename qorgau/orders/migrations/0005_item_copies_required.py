"""The copied school and district are required, and the dashboards' and item lists' indexes (a migration of its own: PostgreSQL
cannot alter a table with the previous migration's updates still pending in the same transaction)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orders", "0004_item_copies")]

    operations = [
        migrations.AlterField(
            model_name="orderitem",
            name="school",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="registry.school"
            ),
        ),
        migrations.AlterField(
            model_name="orderitem",
            name="district",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="registry.district"
            ),
        ),
        migrations.AddIndex(
            model_name="orderitem",
            index=models.Index(
                fields=["status", "district", "category", "overdue_since"],
                include=["issued_at", "id", "order_id"],
                name="item_status_district",
            ),
        ),
        migrations.AddIndex(
            model_name="orderitem",
            index=models.Index(fields=["district", "status", "deadline"], name="item_district_deadline"),
        ),
        migrations.AddIndex(
            model_name="orderitem",
            index=models.Index(fields=["district", "overdue_since"], name="item_district_overdue"),
        ),
        migrations.AddIndex(
            model_name="orderitem",
            index=models.Index(fields=["issued_at", "district"], name="item_issued_at"),
        ),
        migrations.AddIndex(
            model_name="orderitem",
            index=models.Index(fields=["school", "status", "overdue_since"], name="item_school_status"),
        ),
        migrations.AddIndex(
            model_name="orderitem",
            index=models.Index(
                condition=models.Q(("fix_kind", "equipment"), ("status__in", ["open", "reported"])),
                fields=["district", "school", "deadline"],
                name="item_open_equipment",
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["status"], include=["id"], name="order_status"),
        ),
    ]
