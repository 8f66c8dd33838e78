"""The OpenAPI 3.1 document of the Image Manager API (policies v2, images and image
collections v0), served at ``/openapi.json`` on both API apps (production and staging).

Shapes are the seed's (``shared/spec/seeds/003_…``); the transformations are built from the
same table validation reads (:mod:`vendors.akamai.schema`), so the document cannot drift
from what a PUT accepts. Where the seed is silent the document says what we answer: every
refusal is ``application/api-problem+json``; rules no schema states (a variable reference
to an undeclared variable, a composite URL on no listed host…) are ``x-refusals`` whose
code is the problem ``type``'s last segment.
"""

from __future__ import annotations

from typing import Any

from common.openapi import (
    Refusal,
    Schema,
    array,
    document,
    error_responses,
    obj,
    operation,
    path_param,
    query_param,
    ref,
    response,
)
from vendors.akamai import schema
from vendors.akamai.image_collections import (
    ACKNOWLEDGEMENT_MEMBERS,
    EXISTS,
    ITEM_MEMBERS,
    LIST_MEMBERS,
    MAX_ITEMS,
)
from vendors.akamai.image_collections import READ_ONLY as COLLECTION_READ_ONLY
from vendors.akamai.policy_validation import (
    COMPOSITE_HOST,
    DUPLICATE,
    FORMATS,
    ID_MISMATCH,
    NESTING,
    POLICY_ID,
    READ_ONLY,
    VARIABLE_NAME,
    VARIABLE_REFERENCE,
    VARIABLE_VALUE,
)
from vendors.akamai.problems import PROBLEM_TYPE
from vendors.akamai.variables import COLOR_PATTERN

DOCUMENT_PATH = "/openapi.json"
MAX_LIMIT = 10_000
VARIABLE = obj({"var": {"type": "string"}}, required=["var"])


def _scalar(member: schema.Member) -> Schema:
    """A member's literal values as JSON Schema."""
    kind = member.kind
    if isinstance(kind, tuple):
        return {"type": "string", "enum": list(kind)}
    out: Schema
    if kind == schema.INT:
        out = {"type": "integer"}
    elif kind == schema.NUM:
        out = {"type": "number"}
    elif kind == schema.BOOL:
        return {"type": "boolean"}
    elif kind == schema.COLOR:
        return {"type": "string", "pattern": COLOR_PATTERN.pattern}
    else:  # URL
        return {"type": "string", "pattern": r"\S", "maxLength": 2048}
    if member.low is not None:
        out["minimum"] = member.low
    if member.high is not None:
        out["maximum"] = member.high
    return out


def _member(member: schema.Member) -> Schema:
    if member.kind == schema.TRANSFORMATION:
        return ref("Transformation")
    if member.kind == schema.TRANSFORMATIONS:
        return array(ref("Transformation"))
    if member.kind == schema.IMAGE:  # an object, or the seed's array of one Image
        return {
            "anyOf": [ref("CompositeImage"), array(ref("CompositeImage"), min_items=1, max_items=1)]
        }
    return {"anyOf": [_scalar(member), ref("Variable")]}


def _transformation(name: str, members: dict[str, schema.Member]) -> Schema:
    spellings = [name, *(a for a, c in schema.TRANSFORMATION_ALIASES.items() if c == name)]
    properties: dict[str, Schema] = {"transformation": {"type": "string", "enum": spellings}}
    required = ["transformation"]
    aliases = {c: a for a, c in schema.MEMBER_ALIASES.get(name, {}).items()}
    out: Schema = {}
    for member_name, member in members.items():
        properties[member_name] = _member(member)
        if member_name in aliases:  # MaxColors: colors, or the seed's own colours; not both
            alias = aliases[member_name]
            properties[alias] = _member(member)
            out["not"] = {"required": [member_name, alias]}
            if member.required:
                out["anyOf"] = [{"required": [member_name]}, {"required": [alias]}]
        elif member.required:
            required.append(member_name)
    if name == "Compound":
        properties["transformations"] = array(ref("CompoundStep"))
    if name == "Shear":
        out["anyOf"] = [{"required": ["xShear"]}, {"required": ["yShear"]}]
    return {**obj(properties, required=required), **out}


def _transformation_schemas() -> dict[str, Schema]:
    by_name = {
        f"Transformation{name}": _transformation(name, members)
        for name, members in schema.TRANSFORMATIONS_SPEC.items()
    }
    allowed = sorted(schema.COMPOUND_ALLOWED)
    return {
        **by_name,
        "Transformation": {"oneOf": [ref(n) for n in by_name]},
        "CompoundStep": {"oneOf": [ref(f"Transformation{n}") for n in allowed]},
        "CompositeImage": obj(
            {
                "url": _member(schema.COMPOSITE_IMAGE_SPEC["url"]),
                "transformation": ref("Transformation"),
                **{
                    name: {"type": json_type, "description": "the Image's; kept, not used"}
                    for name, json_type in schema.IMAGE_METADATA.items()
                },
            },
            required=["url"],
        ),
        "Variable": VARIABLE,
    }


def _policy_schemas() -> dict[str, Schema]:
    variable_name = {"type": "string", "pattern": VARIABLE_NAME.pattern}
    declaration = obj(
        {
            "name": variable_name,
            "type": {"type": "string", "enum": list(schema.VARIABLE_TYPES)},
            "defaultValue": {"type": "string"},
            "enumOptions": array(
                obj({"id": variable_name, "value": {"type": "string"}}, required=["id", "value"]),
                min_items=1,
            ),
            "prefix": {"type": "string"},
            "postfix": {"type": "string"},
        },
        required=["name", "type", "defaultValue"],
    )
    quality = {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 100}, ref("Variable")]}
    perceptual = {
        "anyOf": [{"type": "string", "enum": list(schema.PERCEPTUAL_QUALITIES)}, ref("Variable")]
    }
    formats = array({"type": "string", "enum": list(FORMATS)})
    members: dict[str, Schema] = {
        "breakpoints": obj(
            {
                "widths": array(
                    {"type": "integer", "minimum": 1, "maximum": schema.MAX_PIXELS_SIDE},
                    max_items=64,
                )
            }
        ),
        "hosts": array({"type": "string", "pattern": "^[^/ ]+$", "maxLength": 255}),
        "output": obj(
            {
                "quality": quality,
                "perceptualQuality": perceptual,
                "allowedFormats": formats,
                "forcedFormats": formats,
            }
        ),
        "transformations": array(ref("Transformation")),
        "postBreakpointTransformations": array(ref("Transformation")),
        "variables": array(declaration),
    }
    read_only = {
        name: {"description": "read-only: sent back as returned, ignored"} for name in READ_ONLY
    }
    read_only["id"] = {"type": "string", "description": "read-only: the URL's id, if given"}
    stored = obj(
        {
            **members,
            "id": {"type": "string"},
            "version": {"type": "integer", "minimum": 1},
            "dateCreated": {"type": "string"},
            "user": {"type": "string"},
        },
        required=["id", "version", "dateCreated", "user"],
    )
    aliases = {alias: members[name] for alias, name in schema.POLICY_ALIASES.items()}
    one_spelling = [{"required": [name, alias]} for alias, name in schema.POLICY_ALIASES.items()]
    return {
        "PolicyInput": {
            **obj({**members, **aliases, **read_only}),
            "not": {"anyOf": one_spelling},
        },
        "Policy": stored,
    }


def _image_schemas() -> dict[str, Schema]:
    size = obj(
        {
            "date": {"type": "string"},
            "policyVersion": {"type": "integer", "minimum": 1},
            "status": {"type": "string", "enum": ["PASSED", "FAILED"]},
        },
        required=["date", "policyVersion", "status"],
    )
    sizes = {
        "type": "object",
        "additionalProperties": size,
        "propertyNames": {"pattern": "^[0-9]+$"},
    }
    image = obj(
        {
            "id": {"type": "string"},
            "url": {"type": "string"},
            "ordinal": {"type": "integer"},
            "description": {"type": "string"},
            "policies": {
                "type": "object",
                "additionalProperties": obj({"sizes": sizes}, required=["sizes"]),
            },
        },
        required=["id", "url", "ordinal", "description", "policies"],
    )

    def item_schema(kind: str, members: tuple[str, ...]) -> Schema:
        strings = array({"type": "string"})
        properties = {m: strings if m in LIST_MEMBERS else {"type": "string"} for m in members}
        return obj({"type": {"const": kind}, **properties}, required=["type", members[0]])

    item_schemas = [item_schema(kind, members) for kind, members in ITEM_MEMBERS.items()]
    definition = obj(
        {
            "items": array({"oneOf": item_schemas}, max_items=MAX_ITEMS),
            "version": {"type": "number"},
            "type": {"type": "string"},
        },
        required=["items"],
    )
    collection_id = {"type": "string", "pattern": POLICY_ID.pattern}
    ignored: dict[str, Schema] = {
        name: {"description": "read-only: ignored"} for name in COLLECTION_READ_ONLY
    }
    for name, allowed in ACKNOWLEDGEMENT_MEMBERS.items():
        ignored[name] = {
            "type": "string",
            **({"enum": list(allowed)} if allowed else {}),
            "description": "ignored: the seed's request samples repeat the Acknowledgement",
        }
    collection = obj(
        {
            "id": collection_id,
            "definition": {**definition, "description": "none: an empty collection"},
            "tags": array({"type": "string"}),
            **ignored,
        },
        required=["id"],
    )
    update = {
        **collection,
        "properties": {
            **collection["properties"],
            "definition": {**definition, "description": "none: the stored one is kept"},
            "tags": {**array({"type": "string"}), "description": "none: the stored ones are kept"},
        },
        "required": [],
    }
    stored = obj(
        {
            "id": {"type": "string"},
            "definition": definition,
            "tags": array({"type": "string"}),
            "user": {"type": "string"},
            "lastModifiedTimestamp": {"type": "integer"},
        },
        required=["id", "definition", "user", "lastModifiedTimestamp"],
    )
    return {
        "Image": image,
        "ImageCollectionInput": collection,
        "ImageCollectionUpdate": update,
        "ImageCollection": stored,
    }


def _listing(kind: str, item: Schema) -> Schema:
    return obj(
        {
            "totalItems": {"type": "integer", "minimum": 0},
            "itemKind": {"const": kind},
            "items": array(item),
        },
        required=["totalItems", "itemKind", "items"],
    )


SCHEMAS: dict[str, Schema] = {
    **_transformation_schemas(),
    **_policy_schemas(),
    **_image_schemas(),
    "Acknowledgement": obj(
        {
            "operationPerformed": {"type": "string", "enum": ["CREATED", "UPDATED", "DELETED"]},
            "description": {"type": "string"},
            "id": {"type": "string"},
        },
        required=["operationPerformed", "description", "id"],
    ),
    "Problem": obj(
        {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "httpStatus": {"type": "integer"},
        },
        required=["type", "title", "detail", "instance", "httpStatus"],
    ),
}


def _errors(*statuses: str) -> dict[str, Any]:
    described = {
        "400": "Validation Exception, a bad parameter or a malformed body",
        "401": "no Luna-Token",
        "403": "a Luna-Token of no property here (or .auto deleted)",
        "404": "no such policy, image or collection",
        "405": "method not allowed, with Allow",
        "413": "a body over 1 MiB",
    }
    return error_responses(
        described, ref("Problem"), PROBLEM_TYPE, ("401", "403", "405", *statuses)
    )


def _ok(description: str, schema_: Schema, status: str = "200") -> dict[str, Any]:
    return {status: response(description, schema_)}


POLICY_REFUSALS = [
    Refusal(400, ID_MISMATCH, "an id in the body other than the URL's"),
    Refusal(400, VARIABLE_REFERENCE, "a {var} reference to an undeclared or mistyped variable"),
    Refusal(400, VARIABLE_VALUE, "a defaultValue or enum value that does not fit its type"),
    Refusal(400, DUPLICATE, "a variable or enum option declared twice"),
    Refusal(400, NESTING, "transformations nested deeper than 16"),
    Refusal(400, COMPOSITE_HOST, "a composite image URL on no host of the hosts the policy lists"),
]
POLICY_ID_PARAM = path_param(
    "policy_id", {"type": "string", "pattern": r"^(\.auto|[A-Za-z0-9_-]{1,64})$"}
)
COLLECTION_ID_PARAM = path_param("collection_id", {"type": "string", "pattern": POLICY_ID.pattern})
LIMIT = query_param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT})
ACK = ref("Acknowledgement")


def _policy_operations() -> dict[str, Any]:
    tag = "Policies"
    one = "/imaging/v2/policies/{policy_id}"
    return {
        "/imaging/v2/policies": {
            "get": operation(
                "listPolicies",
                "List policies",
                {
                    **_ok(
                        "the policy ids",
                        _listing("POLICY", obj({"id": {"type": "string"}}, required=["id"])),
                    ),
                    **_errors(),
                },
                tag=tag,
            )
        },
        one: {
            "get": operation(
                "getPolicy",
                "Get a policy",
                {**_ok("the policy", ref("Policy")), **_errors("404")},
                tag=tag,
                params=[POLICY_ID_PARAM],
            ),
            "put": operation(
                "putPolicy",
                "Create or modify a policy: a new version",
                {
                    **_ok("modified", ACK),
                    **_ok("created", ACK, "201"),
                    **_errors("400", "413"),
                },
                tag=tag,
                params=[POLICY_ID_PARAM],
                body=ref("PolicyInput"),
                refusals=POLICY_REFUSALS,
            ),
            "delete": operation(
                "deletePolicy",
                "Remove a policy (not .auto)",
                {**_ok("deleted", ACK), **_errors("404")},
                tag=tag,
                params=[POLICY_ID_PARAM],
            ),
        },
        "/imaging/v2/policies/history/{policy_id}": {
            "get": operation(
                "getPolicyHistory",
                "Every version of a policy, newest first",
                {
                    **_ok(
                        "the history",
                        _listing(
                            "POLICIESLOG",
                            obj(
                                {
                                    "id": {"type": "string"},
                                    "version": {"type": "integer"},
                                    "dateCreated": {"type": "string"},
                                    "policy": {
                                        "type": "string",
                                        "contentMediaType": "application/json",
                                    },
                                    "action": {"type": "string", "enum": ["UPSERT", "DELETE"]},
                                    "user": {"type": "string"},
                                },
                                required=[
                                    "id",
                                    "version",
                                    "dateCreated",
                                    "policy",
                                    "action",
                                    "user",
                                ],
                            ),
                        ),
                    ),
                    **_errors("404"),
                },
                tag=tag,
                params=[POLICY_ID_PARAM],
            )
        },
    }


def _image_operations() -> dict[str, Any]:
    tag = "Images"
    return {
        "/imaging/v0/images": {
            "get": operation(
                "listImages",
                "List derivatives produced, by URL and policy",
                {**_ok("the images", _listing("IMAGE", ref("Image"))), **_errors("400")},
                tag=tag,
                params=[
                    LIMIT,
                    query_param("url", {"type": "string"}),
                    query_param("policyId", {"type": "string"}),
                ],
            )
        },
        "/imaging/v0/images/{image_id}": {
            "get": operation(
                "getImage",
                "Get an image by id (the path of its URL)",
                {**_ok("the image", ref("Image")), **_errors("404")},
                tag=tag,
                params=[path_param("image_id", {"type": "string", "minLength": 1})],
            )
        },
    }


def _collection_operations() -> dict[str, Any]:
    tag = "Image collections"
    one = "/imaging/v0/imagecollections/{collection_id}"
    return {
        "/imaging/v0/imagecollections": {
            "get": operation(
                "listImageCollections",
                "List image collections",
                {
                    **_ok("the collections", _listing("IMAGECOLLECTION", ref("ImageCollection"))),
                    **_errors("400"),
                },
                tag=tag,
                params=[LIMIT],
            ),
            "put": operation(
                "createImageCollection",
                "Create an image collection",
                {**_ok("created", ACK), **_errors("400", "413")},
                tag=tag,
                body=ref("ImageCollectionInput"),
                refusals=[Refusal(400, EXISTS, "an id that exists already (POST updates it)")],
            ),
        },
        one: {
            "get": operation(
                "getImageCollection",
                "Get an image collection",
                {**_ok("the collection", ref("ImageCollection")), **_errors("404")},
                tag=tag,
                params=[COLLECTION_ID_PARAM],
            ),
            "post": operation(
                "updateImageCollection",
                "Update an image collection",
                {**_ok("updated", ACK), **_errors("400", "404", "413")},
                tag=tag,
                params=[COLLECTION_ID_PARAM],
                body=ref("ImageCollectionUpdate"),
                refusals=[Refusal(400, ID_MISMATCH, "an id in the body other than the URL's")],
            ),
            "delete": operation(
                "deleteImageCollection",
                "Delete an image collection",
                {**_ok("deleted", ACK), **_errors("404")},
                tag=tag,
                params=[COLLECTION_ID_PARAM],
            ),
        },
        one + "/history": {
            "get": operation(
                "getImageCollectionHistory",
                "Every state of a collection, newest first",
                {
                    **_ok(
                        "the history", _listing("IMAGECOLLECTIONHISTORY", ref("ImageCollection"))
                    ),
                    **_errors("400", "404"),
                },
                tag=tag,
                params=[COLLECTION_ID_PARAM, LIMIT],
            )
        },
    }


def build_document() -> dict[str, Any]:
    return document(
        "Akamai Image Manager API (cdnsim edge)",
        "2",
        "Policies (v2: every PUT a new version; .auto exists from the start and cannot be "
        "deleted), images and image collections (v0), as Akamai documents them. The staging "
        "API answers for staging; the production API for production unless the Host is a "
        "-staging name. Every call needs the property's Luna-Token. Errors are "
        "application/api-problem+json.",
        {**_policy_operations(), **_image_operations(), **_collection_operations()},
        schemas=SCHEMAS,
        security_schemes={"LunaToken": {"type": "apiKey", "in": "header", "name": "Luna-Token"}},
        security=["LunaToken"],
    )
