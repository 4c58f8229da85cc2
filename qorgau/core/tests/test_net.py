"""client_ip: X-Forwarded-For is believed only from our own proxies."""

import pytest
from django.test import RequestFactory

from qorgau.core.net import client_ip

PROXY = "10.0.0.5"


def request(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.fixture
def behind_proxy(settings):
    settings.QORGAU_TRUSTED_PROXIES = [PROXY]


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.QORGAU_TRUSTED_PROXIES = []
    assert client_ip(request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_a_request_from_a_trusted_proxy_gives_the_forwarded_address(behind_proxy):
    assert client_ip(request(PROXY, "198.51.100.1")) == "198.51.100.1"


def test_a_forged_header_from_outside_is_ignored(behind_proxy):
    assert client_ip(request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_the_address_is_read_from_the_right_past_our_own_proxies(behind_proxy, settings):
    settings.QORGAU_TRUSTED_PROXIES = [PROXY, "10.0.0.6"]
    # The client put a fake address first; our two proxies appended what they saw.
    assert client_ip(request(PROXY, "1.2.3.4, 198.51.100.1, 10.0.0.6")) == "198.51.100.1"


def test_a_garbled_header_falls_back_to_the_proxy(behind_proxy):
    assert client_ip(request(PROXY, "not-an-ip")) == PROXY
    assert client_ip(request(PROXY, "")) == PROXY


def test_ipv6_and_a_missing_address(behind_proxy):
    assert client_ip(request(PROXY, "2001:db8::1")) == "2001:db8::1"
    assert client_ip(request("")) is None
