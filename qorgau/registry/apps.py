from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "qorgau.registry"
    label = "registry"
