"""Types shared by the apps' API schemas."""

from typing import Annotated

from django.db import models
from pydantic import ConfigDict, WithJsonSchema

# The most rows one call of a list returns: enough for a district's schools in one call, small enough that
# one call stays cheap.
MAX_PAGE = 500

# Input refuses unknown fields, as the services do: a misspelt field must not be silently ignored.
STRICT = ConfigDict(extra="forbid")


def choice(enum: type[models.TextChoices]):
    """A field holding one of a model's choices, described inline in the OpenAPI schema.

    ninja names an enum's schema by its class name alone, so `Inspection.Status` and `Order.Status` would
    share one `Status` component, the last one written winning: a client would be told an inspection's
    status is "open" or "done". Inline, each field lists its own values."""
    return Annotated[enum, WithJsonSchema({"type": "string", "enum": [str(v) for v in enum.values]})]
