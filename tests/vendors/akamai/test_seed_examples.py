"""The seed's JSON examples against the Image Manager API (``seed_examples/``): every request
example is sent as written and accepted, every response example is what we answer, in
shape (and in value where the seed's value is ours to match). Renders of the example
policies and transformations: ``test_seed_renders.py``."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.vendors.akamai.conftest import TOKEN, ImagingStack
from tests.vendors.akamai.seed_examples import EXAMPLES, HERE, conforms, example, seed_file, text

AUTH = {"Luna-Token": TOKEN}
AKAMAI_DATE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+0000$")
COLLECTIONS = "/imaging/v0/imagecollections"


async def call(imaging: ImagingStack, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    async with imaging.http.request(method, imaging.api(path), json=body, headers=AUTH) as r:
        return r.status, await r.json(content_type=None)


def test_every_example_is_indexed_and_verbatim_from_the_seed():
    assert sorted(p.name for p in HERE.glob("*.json")) == sorted(EXAMPLES)
    seed = seed_file()
    if seed is None:
        pytest.skip("the seeds are not beside this checkout")
    lines = seed.read_text().split("\n")
    for name, (_section, _what, span) in EXAMPLES.items():
        first, last = (int(n) for n in span.split("-"))
        assert text(name) == "\n".join(lines[first - 1 : last]) + "\n", name


@pytest.mark.parametrize("name", ["01_get_a_policy.response.json", "16_policy.sample.json"])
async def test_the_watermark_policy_sample_is_accepted_and_read_back(imaging, name):
    policy = example(name)  # no hosts; its Composite on www.customer.com
    status, ack = await call(imaging, "PUT", "/imaging/v2/policies/watermark", policy)
    assert (status, ack["operationPerformed"], ack["id"]) == (201, "CREATED", "watermark")
    status, stored = await call(imaging, "GET", "/imaging/v2/policies/watermark")
    assert status == 200
    conforms(policy, stored)
    assert {k: stored[k] for k in policy} == policy  # every member as the seed wrote it
    status, listing = await call(imaging, "GET", "/imaging/v2/policies")
    assert listing == example("00_list_policies.response.json")  # .auto and watermark


async def test_create_or_modify_a_policy_as_the_seed_shows(imaging):
    body = example("02_create_or_modify_a_policy.request.json")
    path = "/imaging/v2/policies/thumbnail_policy"
    status, created = await call(imaging, "PUT", path, body)
    assert (status, created["operationPerformed"]) == (201, "CREATED")  # the seed's 201
    status, updated = await call(imaging, "PUT", path, body)
    response = example("03_create_or_modify_a_policy.response.json")
    assert status == 200
    conforms(response, updated)
    assert updated["operationPerformed"] == "UPDATED" and updated["id"] == "thumbnail_policy"
    status, stored = await call(imaging, "GET", path)
    assert stored["breakpoints"] == body["breakpoints"] and stored["version"] == 2
    status, deleted = await call(imaging, "DELETE", path)
    assert (status, deleted) == (200, example("04_remove_a_policy.response.json"))
    assert deleted == example("20_acknowledgement.sample.json")


@pytest.mark.parametrize("name", ["05_get_policy_history.response.json", "19_history.sample.json"])
async def test_policy_history_as_the_seed_shows_and_its_policy_state_is_accepted(imaging, name):
    sample = example(name)
    state = json.loads(sample["items"][0]["policy"])  # the seed's older spelling: resolutions
    status, _ = await call(imaging, "PUT", f"/imaging/v2/policies/{state['id']}", state)
    assert status == 201
    status, history = await call(imaging, "GET", f"/imaging/v2/policies/history/{state['id']}")
    assert status == 200
    conforms(sample, history)
    item = history["items"][0]
    assert history["itemKind"] == "POLICIESLOG" and history["totalItems"] == 1
    assert item["action"] == "UPSERT" and AKAMAI_DATE.fullmatch(item["dateCreated"])
    logged = json.loads(item["policy"])
    assert logged["breakpoints"] == state["resolutions"] and logged["currentVersion"] == 1
    assert logged["transformations"] == state["transformations"]


async def _render_some(imaging: ImagingStack) -> None:
    imaging.origin.images["/images/image2.png"] = imaging.origin.images["/photos/clear.png"]
    await imaging.put_policy("watermark", {"breakpoints": {"widths": [200]}})
    for query in ("imwidth=50", "impolicy=watermark&imwidth=200"):
        response, _ = await imaging.get(imaging.delivery(f"/images/image2.png?{query}"))
        assert response.status == 200


@pytest.mark.parametrize(
    "name",
    ["06_list_images.response.json", "18_imagecollection.sample.json"],
)
async def test_list_images_answers_as_the_seed_shows(imaging, name):
    await _render_some(imaging)
    sample = example(name)
    status, listing = await call(imaging, "GET", "/imaging/v0/images/?limit=2")
    assert status == 200
    conforms(sample, listing)
    assert listing["itemKind"] == "IMAGE" and listing["totalItems"] == 1
    url = imaging.origin.url + "/images/image2.png"
    status, found = await call(
        imaging, "GET", f"/imaging/v0/images/?limit=2&url={url}&policyId=watermark"
    )
    assert [i["id"] for i in found["items"]] == ["/images/image2.png"]
    assert list(found["items"][0]["policies"]) == ["watermark"]  # as in the seed's sample


@pytest.mark.parametrize("name", ["07_get_an_image.response.json", "17_image.sample.json"])
async def test_get_an_image_answers_as_the_seed_shows_with_a_description(imaging, name):
    await _render_some(imaging)
    status, image = await call(imaging, "GET", "/imaging/v0/images//images/image2.png")
    assert status == 200
    conforms(example(name), image)
    sizes = image["policies"][".auto"]["sizes"]["320"]
    assert sizes["status"] == "PASSED" and AKAMAI_DATE.fullmatch(sizes["date"])
    # The seed's Image members: description, the action performed on the image (the last).
    assert image["description"] == "Policy watermark (version 1) produced the 200 px derivative."
    assert image["ordinal"] == 1


async def test_creating_a_collection_with_the_seeds_request_answers_the_seeds_response(imaging):
    status, ack = await call(
        imaging, "PUT", COLLECTIONS + "/", example("09_create_a_new_image_collection.request.json")
    )
    assert (status, ack) == (200, example("10_create_a_new_image_collection.response.json"))
    status, stored = await call(imaging, "GET", f"{COLLECTIONS}/SKU-26684355")
    assert status == 200 and stored["definition"] == {"items": []}


async def test_get_update_and_delete_a_collection_as_the_seed_shows(imaging):
    collection = example("11_get_an_image_collection.response.json")
    status, ack = await call(imaging, "PUT", COLLECTIONS + "/", collection)
    assert (status, ack["operationPerformed"], ack["id"]) == (200, "CREATED", "MyId123")
    status, stored = await call(imaging, "GET", f"{COLLECTIONS}/MyId123")
    assert status == 200
    conforms(collection, stored)
    assert {k: stored[k] for k in collection} == collection
    update = example("12_update_an_image_collection.request.json")
    status, ack = await call(imaging, "POST", f"{COLLECTIONS}/MyId123", update)
    assert (status, ack) == (200, example("13_update_an_image_collection.response.json"))
    status, after = await call(imaging, "GET", f"{COLLECTIONS}/MyId123")
    assert after["definition"] == collection["definition"] and after["tags"] == ["red", "shoe"]
    status, deleted = await call(imaging, "DELETE", f"{COLLECTIONS}/MyId123")
    assert (status, deleted) == (200, example("14_delete_an_image_collection.response.json"))


async def test_the_listed_collections_of_the_seed_are_accepted_and_listed_alike(imaging):
    sample = example("08_list_image_collections.response.json")
    for item in sample["items"]:  # user and lastModifiedTimestamp are read-only: ignored
        status, ack = await call(imaging, "PUT", COLLECTIONS + "/", item)
        assert (status, ack["id"]) == (200, item["id"])
    status, listing = await call(imaging, "GET", COLLECTIONS + "/?limit=2")
    assert status == 200
    conforms(sample, listing)
    assert [i["definition"] for i in listing["items"]] == [i["definition"] for i in sample["items"]]


async def test_collection_history_answers_as_the_seed_shows(imaging, clock):
    sample = example("15_get_image_collection_history.response.json")
    newer, older = sample["items"]
    status, _ = await call(imaging, "PUT", COLLECTIONS + "/", older)
    assert status == 200
    await clock.advance(0.016)
    status, _ = await call(imaging, "POST", f"{COLLECTIONS}/product-1", newer)
    assert status == 200
    status, history = await call(imaging, "GET", f"{COLLECTIONS}/product-1/history?limit=2")
    assert status == 200
    conforms(sample, history)
    assert [i["definition"] for i in history["items"]] == [newer["definition"], older["definition"]]
    stamps = [i["lastModifiedTimestamp"] for i in history["items"]]
    assert stamps[0] - stamps[1] == 16  # the seed's 1509418397300 - 1509418397284


async def test_a_validation_error_has_the_seeds_problem_shape(imaging):
    too_long = "abcdefghijklmnopqrstuvwxyz0123456789" * 2
    async with imaging.http.put(
        imaging.api(f"/imaging/v2/policies/{too_long}"), json={}, headers=AUTH
    ) as response:
        assert response.content_type == "application/api-problem+json"
        problem = await response.json(content_type=None)
    sample = example("33_errors.sample.json")
    conforms(sample, problem)
    assert set(problem) == set(sample)
    assert problem["title"] == sample["title"] and problem["httpStatus"] == 400
    assert problem["instance"].startswith("PUT - http://")
