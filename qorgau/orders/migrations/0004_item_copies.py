"""Order items carry their order's school, district and issue time and their finding's category (see OrderItem)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_from_orders(apps, schema_editor):
    OrderItem = apps.get_model("orders", "OrderItem")
    Order = apps.get_model("orders", "Order")
    Finding = apps.get_model("inspections", "Finding")
    order = Order.objects.filter(pk=OuterRef("order_id"))
    OrderItem.objects.update(
        school_id=Subquery(order.values("school_id")[:1]),
        district_id=Subquery(order.values("district_id")[:1]),
        issued_at=Subquery(order.values("issued_at")[:1]),
    )
    section = Finding.objects.filter(pk=OuterRef("finding_id"), item__isnull=False)
    OrderItem.objects.filter(finding__item__isnull=False).update(
        category=Subquery(section.values("item__section__code")[:1])
    )
    if schema_editor.connection.vendor == "postgresql":
        # Check the new foreign keys now: PostgreSQL refuses the index built after this while checks wait.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0003_position_label"),
        ("inspections", "0001_initial"),
        ("orders", "0003_district_issued_index"),
        ("registry", "0003_equipment_status_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="orderitem",
            name="category",
            field=models.CharField(blank=True, editable=False, max_length=2),
        ),
        migrations.AddField(
            model_name="orderitem",
            name="issued_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="orderitem",
            name="district",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="registry.district",
            ),
        ),
        migrations.AddField(
            model_name="orderitem",
            name="school",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="registry.school",
            ),
        ),
        migrations.RunPython(copy_from_orders, migrations.RunPython.noop, elidable=True),
    ]
