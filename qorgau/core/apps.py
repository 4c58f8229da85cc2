from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qorgau.core"
    label = "core"
