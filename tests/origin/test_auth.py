"""Admin auth: Bearer JWT (HS256, or RS256 with a configured public key), `exp` enforced,
legacy Basic, and HTTPS-or-trusted-network transport."""

from __future__ import annotations

import base64
import signal
import subprocess
import sys
import time
from dataclasses import replace

import jwt
import pytest
import requests
import urllib3
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from common.ids import IdGenerator
from origin.app import create_app
from origin.settings import DEV_JWT_SECRET, AuthSettings
from tests.process import CdnsimProcess

PATH = "/adminAPI/imageLocationConfigs"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def client_with(aiohttp_client, origin_settings, storage, auth: AuthSettings):  # type: ignore[no-untyped-def]
    app = create_app(replace(origin_settings, auth=auth), storage=storage, ids=IdGenerator(1))
    return await aiohttp_client(app)


async def test_missing_or_malformed_credentials_are_401_with_a_challenge(origin_client):
    for headers in ({}, {"Authorization": "Bearer not-a-jwt"}, {"Authorization": "Token abc"}):
        response = await origin_client.get(PATH, headers=headers)
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert (await response.json())["status"] == 401


async def test_expired_tokens_and_tokens_without_exp_are_refused(origin_client):
    expired = jwt.encode({"tenant": "*", "exp": int(time.time()) - 5}, DEV_JWT_SECRET, "HS256")
    response = await origin_client.get(PATH, headers=bearer(expired))
    assert response.status == 401 and (await response.json())["code"] == "token_expired"
    forever = jwt.encode({"tenant": "*"}, DEV_JWT_SECRET, "HS256")
    assert (await origin_client.get(PATH, headers=bearer(forever))).status == 401


async def test_a_token_signed_with_another_secret_is_refused(origin_client):
    forged = jwt.encode(
        {"tenant": "*", "exp": int(time.time()) + 60},
        "another-secret-of-32-bytes-or-more!!",
        "HS256",
    )
    assert (await origin_client.get(PATH, headers=bearer(forged))).status == 401


async def test_rs256_with_a_configured_public_key(aiohttp_client, origin_settings, storage):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    client = await client_with(
        aiohttp_client,
        origin_settings,
        storage,
        AuthSettings(jwt_secret=None, jwt_public_key=public_pem),
    )
    claims = {"tenant": "demo", "exp": int(time.time()) + 60}
    assert (await client.get(PATH, headers=bearer(jwt.encode(claims, key, "RS256")))).status == 200
    # With only a public key configured, HS256 tokens are not accepted at all.
    assert (
        await client.get(PATH, headers=bearer(jwt.encode(claims, DEV_JWT_SECRET, "HS256")))
    ).status == 401


async def test_legacy_basic_auth_when_configured(aiohttp_client, origin_settings, storage):
    auth = AuthSettings(jwt_secret=None, basic_users=(("ops", "s3cret"),))
    client = await client_with(aiohttp_client, origin_settings, storage, auth)

    def basic(user: str, password: str) -> dict[str, str]:
        return {
            "Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        }

    assert (await client.get(PATH, headers=basic("ops", "s3cret"))).status == 200
    assert (await client.get(PATH, headers=basic("ops", "wrong"))).status == 401
    assert (await client.get(PATH, headers={"Authorization": "Basic !!!"})).status == 401


async def test_plain_http_from_an_untrusted_network_is_403(
    aiohttp_client, origin_settings, storage, admin_headers
):
    auth = AuthSettings(trusted_networks=("10.0.0.0/8",))
    client = await client_with(aiohttp_client, origin_settings, storage, auth)
    response = await client.get(PATH, headers=admin_headers)
    assert response.status == 403 and (await response.json())["code"] == "insecure_transport"
    assert (
        await client.get("/api/v2/imageLocationConfigs")
    ).status == 200  # the public API is not admin


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_https_with_a_self_signed_certificate_is_accepted_from_anywhere():
    urllib3.disable_warnings()
    origin = CdnsimProcess(
        [
            "origin",
            "--port",
            "0",
            "--tls-self-signed",
            "--trusted-network",
            "10.0.0.0/8",
            "--render-workers",
            "1",
        ]
    )
    try:
        assert origin.url.startswith("https://")
        token = subprocess.run(
            [sys.executable, "-m", "cdnsim.cli", "token", "--tenant", "demo"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.strip()
        response = requests.get(origin.url + PATH, headers=bearer(token), verify=False, timeout=10)
        assert response.status_code == 200
        other = requests.get(
            origin.url + PATH,
            headers={**bearer(token), "Host": "acme.image-service.dev.localhost"},
            verify=False,
            timeout=10,
        )
        assert other.status_code == 403 and other.json()["code"] == "wrong_tenant"
    finally:
        origin.kill(signal.SIGTERM)
