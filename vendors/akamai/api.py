"""The Image Manager API over HTTP: policies (v2), images and image collections (v0).

One app per network, as Akamai has one host per network: the production app answers
for production unless the request's Host is a ``-staging`` name (Akamai's
``…imaging-staging.akamaiapis.net``), and the staging app always answers for staging.
Every call names its property by the ``Luna-Token`` header. Handlers are thin: parse,
call the backend, serialise; refusals are :class:`~vendors.akamai.problems.Problem`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from common.bodies import read_json
from common.openapi import document_route
from edge.vendor import publishing
from vendors.akamai.addressing import is_staging_host
from vendors.akamai.backend import ImagingBackend, Network
from vendors.akamai.openapi import DOCUMENT_PATH, MAX_LIMIT, build_document
from vendors.akamai.problems import Problem, problem_errors

BACKENDS: web.AppKey[Mapping[str, ImagingBackend]] = web.AppKey("akamai_backends")
NETWORK: web.AppKey[Network] = web.AppKey("akamai_network")
MAX_BODY = 1024 * 1024
_DIGITS = re.compile("[0-9]{1,9}")


def create_api_app(
    backends: Mapping[str, ImagingBackend],
    network: Network,
    publish: Callable[[], Awaitable[None]],
) -> web.Application:
    """``backends``: Luna-Token → property; ``publish``: called after every change."""
    middlewares = [problem_errors, publishing(publish)]
    app = web.Application(middlewares=middlewares, client_max_size=MAX_BODY)
    app[BACKENDS] = backends
    app[NETWORK] = network
    app.router.add_routes([*ROUTES, document_route(DOCUMENT_PATH, DOCUMENT)])
    return app


DOCUMENT = build_document()


def _backend(request: web.Request) -> ImagingBackend:
    token = request.headers.get("Luna-Token")
    if not token:
        raise Problem(401, "the Luna-Token header is required", "Unauthorized")
    backend = request.app[BACKENDS].get(token)
    if backend is None:
        raise Problem(403, "the Luna-Token names no Image Manager property here", "Forbidden")
    return backend


def _network(request: web.Request) -> Network:
    if request.app[NETWORK] == "staging" or is_staging_host(request.host):
        return "staging"
    return "production"


def _limit(request: web.Request) -> int | None:
    raw = request.query.get("limit")
    if raw is None:
        return None
    if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= MAX_LIMIT:
        raise Problem(400, f"limit must be an integer from 1 to {MAX_LIMIT}, not {raw[:20]!r}")
    return int(raw)


def _ack(operation: str, description: str, resource_id: str, status: int = 200) -> web.Response:
    body = {"operationPerformed": operation, "description": description, "id": resource_id}
    return web.json_response(body, status=status)


async def list_policies(request: web.Request) -> web.Response:
    ids = _backend(request).policies[_network(request)].list_ids()
    return web.json_response(
        {"totalItems": len(ids), "itemKind": "POLICY", "items": [{"id": i} for i in ids]}
    )


async def get_policy(request: web.Request) -> web.Response:
    policies = _backend(request).policies[_network(request)]
    return web.json_response(policies.get(request.match_info["policy_id"]).document())


async def put_policy(request: web.Request) -> web.Response:
    backend = _backend(request)
    policy_id = request.match_info["policy_id"]
    body = await read_json(request, MAX_BODY)
    network = _network(request)
    stored, created = backend.policies[network].put(policy_id, body, backend.settings.user)
    word = "created" if created else "updated"
    return _ack(
        "CREATED" if created else "UPDATED",
        f"Policy {policy_id} {word} on {network} (version {stored.version}).",
        policy_id,
        201 if created else 200,
    )


async def delete_policy(request: web.Request) -> web.Response:
    backend = _backend(request)
    policy_id = request.match_info["policy_id"]
    backend.policies[_network(request)].delete(policy_id, backend.settings.user)
    return _ack("DELETED", f"Policy {policy_id} deleted.", policy_id)


async def policy_history(request: web.Request) -> web.Response:
    log = _backend(request).policies[_network(request)].history(request.match_info["policy_id"])
    items = [entry.history_item() for entry in log]
    return web.json_response({"itemKind": "POLICIESLOG", "items": items, "totalItems": len(items)})


async def list_images(request: web.Request) -> web.Response:
    derivatives = _backend(request).derivatives[_network(request)]
    items = derivatives.search(
        limit=_limit(request), url=request.query.get("url"), policy_id=request.query.get("policyId")
    )
    return web.json_response({"totalItems": len(items), "itemKind": "IMAGE", "items": items})


async def get_image(request: web.Request) -> web.Response:
    derivatives = _backend(request).derivatives[_network(request)]
    image_id = "/" + request.match_info["image_id"].lstrip("/")
    document = derivatives.get(image_id)
    if document is None:
        raise Problem(404, f"no derivative of {image_id!r} has been produced")
    return web.json_response(document)


async def list_collections(request: web.Request) -> web.Response:
    states = _backend(request).collections.listing(_limit(request))
    items = [s.document() for s in states]
    return web.json_response(
        {"itemKind": "IMAGECOLLECTION", "items": items, "totalItems": len(items)}
    )


async def create_collection(request: web.Request) -> web.Response:
    backend = _backend(request)
    collection_id = backend.collections.create(
        await read_json(request, MAX_BODY), backend.settings.user
    )
    return _ack("CREATED", f"Image Collection {collection_id} was created", collection_id)


async def get_collection(request: web.Request) -> web.Response:
    state = _backend(request).collections.get(request.match_info["collection_id"])
    return web.json_response(state.document())


async def update_collection(request: web.Request) -> web.Response:
    backend = _backend(request)
    collection_id = request.match_info["collection_id"]
    body: Any = await read_json(request, MAX_BODY)
    backend.collections.update(collection_id, body, backend.settings.user)
    return _ack("UPDATED", f"Image Collection {collection_id} was updated", collection_id)


async def delete_collection(request: web.Request) -> web.Response:
    collection_id = request.match_info["collection_id"]
    _backend(request).collections.delete(collection_id)
    return _ack("DELETED", "Item was deleted", collection_id)


async def collection_history(request: web.Request) -> web.Response:
    backend = _backend(request)
    states = backend.collections.history(request.match_info["collection_id"], _limit(request))
    items = [s.document() for s in states]
    return web.json_response(
        {"itemKind": "IMAGECOLLECTIONHISTORY", "items": items, "totalItems": len(items)}
    )


_POLICY = "/imaging/v2/policies/{policy_id:[^/]+}"
_COLLECTION = "/imaging/v0/imagecollections/{collection_id:[^/]+}"
ROUTES = [
    web.get("/imaging/v2/policies", list_policies),
    web.get("/imaging/v2/policies/", list_policies),
    web.get("/imaging/v2/policies/history/{policy_id:[^/]+}", policy_history),
    web.get(_POLICY, get_policy),
    web.put(_POLICY, put_policy),
    web.delete(_POLICY, delete_policy),
    web.get("/imaging/v0/images", list_images),
    web.get("/imaging/v0/images/", list_images),
    web.get("/imaging/v0/images/{image_id:.+}", get_image),
    web.get("/imaging/v0/imagecollections", list_collections),
    web.get("/imaging/v0/imagecollections/", list_collections),
    web.put("/imaging/v0/imagecollections", create_collection),
    web.put("/imaging/v0/imagecollections/", create_collection),
    web.get(_COLLECTION + "/history", collection_history),
    web.get(_COLLECTION, get_collection),
    web.post(_COLLECTION, update_collection),
    web.delete(_COLLECTION, delete_collection),
]
