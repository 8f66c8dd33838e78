"""Which service a request is for (origin.hosts): the table of its docstring, row by row."""

from __future__ import annotations

import pytest

from origin.hosts import admit, host_name, is_platform_path, service_named_by


@pytest.mark.parametrize(
    ("host", "service"),
    [
        ("manage.api.dev.vmnd.tv", "platform"),
        ("MANAGE.api.prod.localhost:8083", "platform"),
        ("manage.api.dev", "platform"),
        ("acme.image-service.dev.vmnd.tv", "image-service"),
        ("demo.image-service.dev.localhost:8080", "image-service"),
        ("127.0.0.1:8080", None),
        ("localhost", None),
        ("[::1]:8080", None),
        ("api.manage.dev.localhost", None),
        ("manage.api..localhost", None),
        ("", None),
        (None, None),
    ],
)
def test_the_host_names_a_service_or_none(host, service):
    assert service_named_by(host) == service


def test_a_host_loses_its_port_and_case_but_an_ipv6_literal_keeps_its_brackets():
    assert host_name("Demo.Image-Service.dev.localhost:8080") == "demo.image-service.dev.localhost"
    assert host_name("[::1]:8080") == "[::1]"


def test_the_platform_path_is_the_invalidation_api_whatever_the_method():
    assert is_platform_path("/dev-lof/images/demo/0123456789abcdef01234567")
    assert not is_platform_path("/dev-lof/images/demo")
    assert not is_platform_path("/api/v2/img/0123456789abcdef01234567")
    assert not is_platform_path("/dev/images/demo/0123456789abcdef01234567")


@pytest.mark.parametrize(
    ("listener", "named", "platform_path", "admission"),
    [
        ("platform", "platform", True, "serve"),
        ("platform", None, True, "serve"),
        ("platform", "platform", False, "not_here"),
        ("platform", None, False, "not_here"),
        ("platform", "image-service", True, "misdirected"),
        ("platform", "image-service", False, "misdirected"),
        ("origin", "platform", True, "serve"),
        ("origin", "platform", False, "not_here"),
        ("origin", "image-service", True, "serve"),
        ("origin", "image-service", False, "serve"),
        ("origin", None, True, "serve"),
        ("origin", None, False, "serve"),
    ],
)
def test_each_listener_and_host_gets_its_service(listener, named, platform_path, admission):
    assert admit(listener, named, platform_path) == admission
