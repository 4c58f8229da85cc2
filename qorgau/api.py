"""The JSON API at /api/v1/. Endpoints live in each app's `api.py` and call the same services as the pages."""

from ninja import NinjaAPI

api = NinjaAPI(title="Qorgau API", version="1", urls_namespace="api")
