from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "qorgau.orders"
    label = "orders"
