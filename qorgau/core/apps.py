from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def _sqlite_unicode_lower(sender, connection, **kwargs):
    # SQLite's own LOWER() folds only ASCII letters, so a search for «школа» would miss «Школа».
    # PostgreSQL's LOWER() already knows Cyrillic and Kazakh letters.
    if connection.vendor == "sqlite":
        connection.connection.create_function("LOWER", 1, _unicode_lower, deterministic=True)


class CoreConfig(AppConfig):
    name = "qorgau.core"
    label = "core"

    def ready(self):
        connection_created.connect(_sqlite_unicode_lower, dispatch_uid="qorgau_sqlite_unicode_lower")
        from qorgau.core import audit  # noqa: F401  (connects the sign-in signals to the audit log)
