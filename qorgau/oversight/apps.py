from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "qorgau.oversight"
    label = "oversight"
