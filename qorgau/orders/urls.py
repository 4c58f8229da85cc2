from django.urls import path

from qorgau.orders import views_police, views_school

app_name = "orders"
urlpatterns = [
    # Police side (views_police)
    path("orders/", views_police.order_list, name="order_list"),
    path("orders/export.<str:fmt>", views_police.order_export, name="order_export"),
    path("orders/overdue/", views_police.overdue_list, name="overdue_list"),
    path("orders/overdue/export.<str:fmt>", views_police.overdue_export, name="overdue_export"),
    path("orders/verification/", views_police.verification_queue, name="verification_queue"),
    path(
        "orders/verification/export.<str:fmt>",
        views_police.verification_queue_export,
        name="verification_queue_export",
    ),
    path("inspections/<int:inspection_pk>/order/", views_police.order_draft, name="order_draft"),
    path("orders/<int:pk>/", views_police.order_detail, name="order_detail"),
    path("orders/<int:pk>/edit/", views_police.order_edit, name="order_edit"),
    path("orders/<int:pk>/items/<int:item_pk>/edit/", views_police.item_edit, name="item_edit"),
    path("orders/<int:pk>/issue/", views_police.order_issue, name="order_issue"),
    path("orders/<int:pk>/delivery/", views_police.delivery_record, name="delivery_record"),
    path("orders/<int:pk>/follow-up/", views_police.follow_up, name="follow_up"),
    path("orders/<int:pk>/items/<int:item_pk>/amend/", views_police.amend, name="amend"),
    path("orders/<int:pk>/items/<int:item_pk>/verify/", views_police.verify, name="verify"),
    path("orders/<int:pk>/items/<int:item_pk>/refer/", views_police.refer, name="refer"),
    path("orders/<int:pk>/reports/<int:report_pk>/decide/", views_police.decide, name="decide"),
    # Documents and evidence, for everyone who may see the order (views_police)
    path("orders/<int:pk>/order.<str:fmt>", views_police.order_document, name="order_document"),
    path(
        "orders/<int:pk>/amendments/<int:amendment_pk>.pdf",
        views_police.amendment_document,
        name="amendment_document",
    ),
    path("orders/<int:pk>/evidence/<int:evidence_pk>/", views_police.evidence_file, name="evidence_file"),
    # The school's side (views_school)
    path("our-orders/", views_school.to_fix, name="to_fix"),
    path("our-orders/export.<str:fmt>", views_school.to_fix_export, name="to_fix_export"),
    path("orders/<int:pk>/acknowledge/", views_school.acknowledge, name="acknowledge"),
    path("orders/<int:pk>/items/<int:item_pk>/report/", views_school.report, name="report"),
    path("orders/<int:pk>/items/<int:item_pk>/extension/", views_school.extension, name="extension"),
    path("notifications/", views_school.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", views_school.notification_read, name="notification_read"),
    path("notifications/read-all/", views_school.notification_read_all, name="notification_read_all"),
]
