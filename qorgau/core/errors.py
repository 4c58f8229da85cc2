"""Domain errors. Services raise these; views and the API map them to responses in one place each."""

from django.core.exceptions import ValidationError


class QorgauError(Exception):
    """Base of every domain error; the message is shown to the user as is."""


class NotAllowed(QorgauError):
    """The user may see the object but not do this to it (HTTP 403)."""


class InvalidTransition(QorgauError):
    """The object's state does not allow this action (HTTP 409)."""


class ImportRejected(QorgauError):
    """An import file has errors; nothing was written. `errors` lists (row, column, message)."""

    def __init__(self, message: str, errors: list | None = None):
        super().__init__(message)
        self.errors = errors or []


__all__ = ["ImportRejected", "InvalidTransition", "NotAllowed", "QorgauError", "ValidationError"]
