from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "qorgau.inspections"
    label = "inspections"
