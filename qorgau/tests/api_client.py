"""The API's test client: Django's test client with a bearer token, speaking JSON to /api/v1."""

from __future__ import annotations

from urllib.parse import urlencode

from django.test import Client

from qorgau.accounts.services import token_create

BASE = "/api/v1"


class Api:
    """Requests as `user` (a bearer token of theirs) or, without one, as anyone; `lang` sets the language
    cookie. Bodies are JSON, but `upload`'s (multipart, for files)."""

    def __init__(self, user=None, lang: str | None = None):
        headers = {}
        if user is not None:
            _token, key = token_create(user=user, name="tests")
            headers["Authorization"] = f"Bearer {key}"
        self.client = Client(headers=headers)
        if lang:
            self.client.cookies.load({"qorgau_language": lang})

    def get(self, path, params=None):
        return self.client.get(BASE + path, params or {})

    def post(self, path, data=None, params=None, **extra):
        query = f"?{urlencode(params)}" if params else ""
        return self.client.post(BASE + path + query, data or {}, content_type="application/json", **extra)

    def put(self, path, data):
        return self.client.put(BASE + path, data, content_type="application/json")

    def patch(self, path, data):
        return self.client.patch(BASE + path, data, content_type="application/json")

    def delete(self, path):
        return self.client.delete(BASE + path)

    def upload(self, path, data):
        return self.client.post(BASE + path, data)  # multipart
