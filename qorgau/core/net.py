"""The address a request came from, for throttling and the audit log.

Behind a reverse proxy REMOTE_ADDR is the proxy itself. The proxy passes the client's address in
X-Forwarded-For, but anyone can send that header, so it is believed only when the request really came from a
proxy listed in QORGAU_TRUSTED_PROXIES. Proxies append the address they saw, so the header is read from the
right: the first address that is not one of our own proxies is the client.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _parse(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _trusted() -> set[str]:
    return {ip for ip in (_parse(raw) for raw in getattr(settings, "QORGAU_TRUSTED_PROXIES", [])) if ip}


def client_ip(request) -> str | None:
    """The client's IP address, or None when the request carries no usable one."""
    remote = _parse(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    trusted = _trusted()
    if remote not in trusted:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for raw in reversed(forwarded.split(",")):
        ip = _parse(raw)
        if ip is None:
            # A garbled entry: nothing to the left of it can be trusted either.
            return remote
        if ip not in trusted:
            return ip
    return remote
