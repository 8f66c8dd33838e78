"""Fuzz every JSON endpoint of a running stack (and the CloudFront XML and imgix upload
bodies): malformed bodies (broken ``Content-Encoding`` included), a wrong type in every
field, path traversal in every path parameter. No answer may be a 5xx.

Reusable: ``tests/test_fuzzing.py`` runs a sample against an in-process stack in seconds;
``python -m tests.fuzzing READY_FILE`` runs every case against a ``cdnsim up --demo
--clock manual`` stack (its ready file) and prints the tries and 5xx per kind.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from yarl import URL

Kind = str  # "malformed", "wrong-type", "traversal"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
       b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe"
       b"\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")  # a 1×1 PNG  # fmt: skip
CROP = {"topLeftX": 0, "topLeftY": 0, "bottomRightX": 1, "bottomRightY": 1}
WRONG: list[Any] = [None, True, 0, -1, 2**64, 1.5, -1e308, "", "x" * 5000, "\x00",
                    "../..", [], [None], {}, {"a": None}, ["a", 1]]  # fmt: skip
TRAVERSALS = ["..", "%2e%2e", "..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e", "..%5c..%5cwin",
              "%00", "a%00b", "%ff%fe", "%c0%ae%c0%ae", "a" * 5000, ".", "%2f", "%0d%0aX:%201",
              "%25", "CON", "~root"]  # fmt: skip


@dataclass(frozen=True)
class Endpoint:
    base: str
    method: str
    path: str  # with {name} placeholders, already percent-encoded
    params: dict[str, str]
    body: Any  # None: no body
    headers: dict[str, str]

    def url(self, params: dict[str, str] | None = None) -> URL:
        path = self.path.format(**(params or self.params))
        return URL(self.base + path, encoded=True)


@dataclass
class Tally:
    tries: int = 0
    errors: list[str] = field(default_factory=list)  # every answer >= 500, described

    def line(self, kind: Kind) -> str:
        return f"{kind:<11} tries {self.tries:>6}  5xx {len(self.errors)}"


def malformed_bodies(valid: Any) -> Iterator[bytes]:
    raw = json.dumps(valid).encode()
    yield from (b"", b"{", b"[", b"nul", b"\xff\xfe\x00", b'{"a":}', b"[" * 100_000,
                b'{"a": NaN}', b"1e999999", b'"\\ud800"', b"\xef\xbb\xbf" + raw, raw + b"}x",
                b"null", b"true", b"0", b'"s"', b"[]", b"{}", b"[" + raw + b"]",
                b'{"a": "' + b"y" * 300_000 + b'"}')  # fmt: skip
    yield raw[: len(raw) // 3]
    yield raw[: 2 * len(raw) // 3]


def field_paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every member and first list element, depth first."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from field_paths(inner, (*prefix, key))
    elif isinstance(value, list) and value:
        yield (*prefix, 0)
        yield from field_paths(value[0], (*prefix, 0))


def replaced(value: Any, path: tuple[Any, ...], new: Any, *, delete: bool = False) -> Any:
    if not path:
        return new
    copy: Any = dict(value) if isinstance(value, dict) else list(value)
    head, rest = path[0], path[1:]
    if delete and not rest:
        del copy[head]
    else:
        copy[head] = replaced(copy[head], rest, new, delete=delete)
    return copy


Case = tuple[Kind, URL, bytes, dict[str, str]]
BROKEN_ENCODINGS = ("gzip", "deflate", "br")


def raw_malformed(raw: bytes) -> Iterator[bytes]:
    """Bodies that are not documents at all: cut, prefixed, suffixed, re-encoded."""
    yield from (b"", raw[: len(raw) // 3], raw[: 2 * len(raw) // 3], b"\xff\xfe" + raw,
                raw + b"<<garbage", raw.decode("latin-1").encode("utf-16"),
                b"<?xml version='1.0' encoding='bogus'?><a/>",
                b'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'
                .decode().encode("utf-16"))  # fmt: skip


def cases(endpoint: Endpoint, sample: float, rng: random.Random) -> Iterator[Case]:
    keep = (lambda: rng.random() < sample) if sample < 1 else (lambda: True)
    body = endpoint.body
    valid = b"" if body is None else body if isinstance(body, bytes) else _dumps(body)
    url = endpoint.url()
    if body is not None:
        bad = raw_malformed(valid) if isinstance(body, bytes) else malformed_bodies(body)
        yield from (("malformed", url, b, {}) for b in bad if keep())
        for encoding in BROKEN_ENCODINGS:
            if keep():  # the valid body, declared compressed: undecodable
                # aiohttp closes a connection whose body it could not decode
                yield "malformed", url, valid, {"Content-Encoding": encoding, "Connection": "close"}
    if body is not None and not isinstance(body, bytes):
        for path in field_paths(body):
            if keep():
                yield "wrong-type", url, _dumps(replaced(body, path, None, delete=True)), {}
            for wrong in WRONG:
                if keep():
                    yield "wrong-type", url, _dumps(replaced(body, path, wrong)), {}
    for name in endpoint.params:
        for traversal in TRAVERSALS:
            if keep():
                yield "traversal", endpoint.url({**endpoint.params, name: traversal}), valid, {}


def _dumps(value: Any) -> bytes:
    return json.dumps(value).encode()


async def run(
    endpoints: list[Endpoint], *, sample: float = 1.0, seed: int = 7
) -> dict[Kind, Tally]:
    """Send every case (or a ``sample`` fraction), one at a time; tally the 5xx answers."""
    rng = random.Random(seed)
    tallies: dict[Kind, Tally] = {k: Tally() for k in ("malformed", "wrong-type", "traversal")}
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        for endpoint in endpoints:
            for kind, url, body, extra in cases(endpoint, sample, rng):
                tally = tallies[kind]
                tally.tries += 1
                headers = {**endpoint.headers, **extra}
                async with http.request(endpoint.method, url, data=body or None,
                                        headers=headers) as r:  # fmt: skip
                    text = await r.text(errors="replace")
                if r.status >= 500:
                    tally.errors.append(f"{r.status} {endpoint.method} {str(url)[:160]} "
                                        f"{body[:120]!r} → {text[:200]}")  # fmt: skip
    return tallies


async def stack_endpoints(ready: dict[str, Any]) -> list[Endpoint]:
    """The JSON endpoints of a ``--demo`` stack, with valid bodies and path parameters."""
    async with aiohttp.ClientSession() as http:
        found = await _discover(http, ready)
    return [*_origin(ready, found), *_akamai(ready), *_imgix(ready, found), *_control(ready)]


async def _discover(http: aiohttp.ClientSession, ready: dict[str, Any]) -> dict[str, str]:
    admin = {"Authorization": f"Bearer {ready['admin_token']}"}
    async with http.get(ready["origin"] + "/adminAPI/imagePacks", headers=admin) as r:
        pack = (await r.json())["imagePackIds"][0]
    async with http.get(f"{ready['origin']}/adminAPI/imagePack/{pack}", headers=admin) as r:
        pack_doc = await r.json()
    imgix = ready["imgix"]
    async with http.get(imgix["delivery"] + imgix["sample_path"] + "?w=10") as r:
        assert r.status == 200, "the imgix sample must render (it makes the sample asset)"
    credentials = {"type": "s3", "s3_access_key": "testing", "s3_secret_key": "testing"}
    patch = {"data": {"type": "sources", "id": imgix["source_id"],
                      "attributes": {"upload_credentials": credentials}}}  # fmt: skip
    auth = {"Authorization": f"Bearer {imgix['api_key']}",
            "Content-Type": "application/vnd.api+json"}  # fmt: skip
    url = f"{imgix['api']}/api/v1/sources/{imgix['source_id']}"
    async with http.patch(url, json=patch, headers=auth) as r:
        assert r.status == 200, "uploads need the demo source's upload credentials"
    location = pack_doc["mainImageLocation"]
    image_id = pack_doc["imageLocations"][location]["imageId"]
    return {"pack": pack, "location": location, "image": image_id,
            "source": imgix["source_id"], "sample": imgix["sample_path"]}  # fmt: skip


def _origin(ready: dict[str, Any], found: dict[str, str]) -> list[Endpoint]:
    headers = {
        "Authorization": f"Bearer {ready['admin_token']}",
        "Content-Type": "application/json",
    }
    loc, pack = found["location"], found["pack"]
    params = {"id": pack, "loc": loc}
    pack_body = {"assetId": "fuzz", "mainImageLocation": loc, "resizeGravity": "center",
                 "useResizeIncludeAll": "TRUE",
                 "imageLocations": {loc: {"cropInfo": CROP, "resizeGravity": "north",
                                          "regions": {"fuzzland": {"cropInfo": CROP}}}}}  # fmt: skip
    config = {"name": "fuzzcfg", "label": "Fuzz", "width": 320, "height": 180, "fallback": loc,
              "resizeGravity": "center", "useResizeIncludeAll": "UNSET"}  # fmt: skip

    def e(method: str, path: str, body: Any, **p: str) -> Endpoint:
        return Endpoint(ready["origin"], method, path, p, body, headers)

    tenant = ready["tenant"]
    return [
        e("POST", "/adminAPI/regions", {"name": "fuzzland", "label": "F", "countries": ["NO"]}),
        e("PUT", "/adminAPI/regions/{region}", {"name": "fuzzland", "countries": ["SE"]},
          region="fuzzland"),
        e("PUT", "/adminAPI/imageLocationConfig/{name}", config, name="fuzzcfg"),
        e("PUT", "/adminAPI/imageLocationConfig/{name}/label", {"label": "L"}, name="fuzzcfg"),
        e("POST", "/adminAPI/imagePacks", pack_body),
        e("PUT", "/adminAPI/imagePack/{id}", pack_body, id=pack),
        e("PUT", "/adminAPI/imagePack/{id}/{loc}",
          {"cropInfo": CROP, "useResizeIncludeAll": "TRUE", "resizeGravity": "east",
           "regions": {"fuzzland": {"cropInfo": CROP}}}, **params),
        e("PUT", "/adminAPI/imagePack/{id}/{loc}/{region}", {"cropInfo": CROP},
          **params, region="fuzzland"),
        e("POST", "/adminAPI/imagePack/{id}/deleteImageLocation",
          {"imageLocationName": "fuzzcfg"}, id=pack),
        e("PUT", "/adminAPI/copyImagePacks",
          {"sourceTenant": tenant, "targetTenant": "fuzzcopy", "imagePackIds": [pack]}),
        e("GET", "/adminAPI/imagePack/{id}", None, id=pack),
        e("GET", "/adminAPI/image/{image}", None, image=found["image"]),
        e("GET", "/api/v2/img/{id}?location=" + loc, None, id=pack),
        e("DELETE", "/{env}-lof/images/{tenant}/{id}", None, env=ready["environment"],
          tenant=tenant, id=pack),
    ]  # fmt: skip


def _akamai(ready: dict[str, Any]) -> list[Endpoint]:
    akamai = ready["akamai"]
    headers = {"Luna-Token": akamai["luna_token"], "Content-Type": "application/json"}
    policy = {
        "breakpoints": {"widths": [320, 640]},
        "output": {"perceptualQuality": "high", "allowedFormats": ["jpeg", "png"]},
        "hosts": ["images.example.com"],
        "variables": [{"name": "wm", "type": "url", "defaultValue": "/w.png"},
                      {"name": "w", "type": "number", "defaultValue": "300"}],
        "transformations": [{"transformation": "Resize", "width": {"var": "w"}, "height": 200},
                            {"transformation": "Composite", "image": {"url": {"var": "wm"}},
                             "gravity": "SouthWest"}],
    }  # fmt: skip
    items = [{"type": "image", "url": "/a.jpg"}, {"type": "spin360", "urls": ["/a.jpg"]},
             {"type": "AkaImage", "imageId": "x"}]  # fmt: skip
    collection = {"id": "fuzzc", "definition": {"items": items}, "tags": ["t"]}

    def e(method: str, path: str, body: Any, **p: str) -> Endpoint:
        return Endpoint(akamai["api"], method, path, p, body, headers)

    return [
        e("PUT", "/imaging/v2/policies/{policy}", policy, policy="fuzzpolicy"),
        e("PUT", "/imaging/v0/imagecollections", collection),
        e("POST", "/imaging/v0/imagecollections/{c}", collection, c="fuzzc"),
        e("GET", "/imaging/v2/policies/history/{policy}", None, policy="fuzzpolicy"),
        e("GET", "/imaging/v0/images/{image}", None, image="a.jpg"),
    ]


def _imgix(ready: dict[str, Any], found: dict[str, str]) -> list[Endpoint]:
    imgix = ready["imgix"]
    headers = {"Authorization": f"Bearer {imgix['api_key']}",
               "Content-Type": "application/vnd.api+json"}  # fmt: skip
    deployment = {"type": "webfolder", "imgix_subdomains": ["fuzz"],
                  "webfolder_base_url": "http://127.0.0.1:9/x/", "default_params": {"w": "10"},
                  "cache_ttl_behavior": "respect_origin", "cache_ttl_error": 300,
                  "cache_ttl_value": 3600, "custom_domains": ["fuzz.example.com"],
                  "image_error": None, "image_missing": None, "secure_url_enabled": False,
                  "crossdomain_xml_enabled": False}  # fmt: skip
    source = {
        "data": {
            "type": "sources",
            "attributes": {"name": "f", "enabled": True, "deployment": deployment},
        }
    }
    sid, sample = found["source"], found["sample"].lstrip("/")
    subdomain = imgix["delivery"].rstrip("/").rsplit("/", 1)[-1]
    asset = {
        "data": {
            "type": "assets",
            "id": f"{sid}/{sample}",
            "attributes": {
                "categories": ["a"],
                "custom_fields": {"k": "v"},
                "description": "d",
                "name": "n",
                "tags": {"x": 0.5},
            },
        }
    }
    purge = {
        "data": {
            "type": "purges",
            "attributes": {"url": f"https://{subdomain}.imgix.net/{sample}", "sub_image": False},
        }
    }

    def e(method: str, route: str, body: Any, **p: str) -> Endpoint:
        return Endpoint(imgix["api"], method, route, p, body, headers)

    other = {**deployment, "imgix_subdomains": ["fuzz2"], "custom_domains": []}
    patched = {"data": {"type": "sources", "id": sid,
                        "attributes": {"name": "g", "deployment": other}}}  # fmt: skip
    upload = Endpoint(imgix["api"], "POST", "/api/v1/sources/{sid}/upload/{path}",
                      {"sid": sid, "path": "fuzz/upload.png"}, PNG,
                      {**headers, "Content-Type": "image/png"})  # fmt: skip
    return [  # the demo source's own domains change last
        upload,
        e("POST", "/api/v1/purge", purge),
        e("PATCH", "/api/v1/assets/{sid}/{path}", asset, sid=sid, path=sample),
        e("GET", "/api/v1/sources/{sid}/assets/{path}", None, sid=sid, path=sample),
        e("POST", "/api/v1/sources", source),
        e("PATCH", "/api/v1/sources/{sid}", patched, sid=sid),
    ]  # fmt: skip


def _control(ready: dict[str, Any]) -> list[Endpoint]:
    headers = {"Content-Type": "application/json"}

    def e(method: str, path: str, body: Any) -> Endpoint:
        return Endpoint(ready["control"], method, path, {}, body, headers)

    return [
        e("POST", "/_sim/clock/advance", {"seconds": 1}),
        e("POST", "/_sim/seed", {"seed": 5}),
        e("PUT", "/_sim/bugs", {"keep-s3-variants": False, "s3-delete-after-edge": 30}),
        e("PUT", "/_sim/faults", {"origin": "slow", "seconds": 0}),
        e("POST", "/_edge/purge", {"paths": ["/a", "/b*"], "callerReference": "r"}),
        Endpoint(ready["control"], "POST", "/2020-05-31/distribution/{dist}/invalidation",
                 {"dist": ready["distribution_id"]}, _batch_xml(),
                 {"Authorization": SIGNED, "Content-Type": "text/xml"}),
    ]  # fmt: skip


SIGNED = ("AWS4-HMAC-SHA256 Credential=fuzz/20260101/us-east-1/cloudfront/aws4_request, "
          "SignedHeaders=host, Signature=" + "0" * 64)  # fmt: skip


def _batch_xml() -> bytes:
    ns = "http://cloudfront.amazonaws.com/doc/2020-05-31/"
    return (f'<?xml version="1.0" encoding="UTF-8"?><InvalidationBatch xmlns="{ns}"><Paths>'
            "<Quantity>1</Quantity><Items><Path>/fuzz/*</Path></Items></Paths>"
            "<CallerReference>fuzz</CallerReference></InvalidationBatch>").encode()  # fmt: skip


async def restore(ready: dict[str, Any]) -> None:
    url = ready["control"] + "/_sim/faults"
    async with aiohttp.ClientSession() as http, http.put(url, json={"origin": "up"}) as r:
        assert r.status == 200


async def main(ready_file: str) -> int:
    ready = json.loads(Path(ready_file).read_text())
    tallies = await run(await stack_endpoints(ready))
    await restore(ready)
    for kind, tally in tallies.items():
        print(tally.line(kind))
        for error in tally.errors[:20]:
            print("   ", error)
    return 1 if any(t.errors for t in tallies.values()) else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1])))
