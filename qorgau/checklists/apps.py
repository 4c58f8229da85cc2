from django.apps import AppConfig


class ChecklistsConfig(AppConfig):
    name = "qorgau.checklists"
    label = "checklists"
