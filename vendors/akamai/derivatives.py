"""What the images API reports: every derivative the edge really produced, per image,
policy and width, with the policy version it was made with and whether the policy
passed or failed on it (the pristine image is then served), and as the Image's
``description`` the last action performed on the image."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Literal

from vendors.akamai.policy_versions import akamai_date

Status = Literal["PASSED", "FAILED"]


@dataclass
class _Image:
    image_id: str
    url: str
    first_seen: int  # ordinal
    sizes: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=dict
    )  # policy → width → info
    description: str = ""  # the last action performed on the image

    def document(self, policy_id: str | None = None) -> dict[str, Any]:
        policies = {
            p: {"sizes": dict(sorted(s.items(), key=lambda kv: int(kv[0])))}
            for p, s in sorted(self.sizes.items())
            if policy_id is None or p == policy_id
        }
        return {
            "id": self.image_id,
            "url": self.url,
            "ordinal": self.first_seen,
            "description": self.description,
            "policies": policies,
        }


def describe(policy_id: str, version: int, width: int, status: Status) -> str:
    """The action a derivative record stands for, in words."""
    policy = f"Policy {policy_id} (version {version})"
    if status == "PASSED":
        return f"{policy} produced the {width} px derivative."
    return f"{policy} failed on the image; the pristine image was served."


class Derivatives:
    """Derivatives of one network, in the order their images were first rendered."""

    def __init__(self) -> None:
        self._images: dict[str, _Image] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._images.clear()

    def record(
        self,
        image_id: str,
        url: str,
        policy_id: str,
        width: int,
        version: int,
        status: Status,
        now: float,
    ) -> None:
        with self._lock:
            image = self._images.get(image_id)
            if image is None:
                image = self._images[image_id] = _Image(image_id, url, len(self._images) + 1)
            image.sizes.setdefault(policy_id, {})[str(width)] = {
                "date": akamai_date(now),
                "policyVersion": version,
                "status": status,
            }
            image.description = describe(policy_id, version, width, status)

    def search(
        self, *, limit: int | None, url: str | None, policy_id: str | None
    ) -> list[dict[str, Any]]:
        with self._lock:
            images = list(self._images.values())
        out = []
        for image in images:
            if url is not None and url not in (image.url, image.image_id):
                continue
            if policy_id is not None and policy_id not in image.sizes:
                continue
            out.append(image.document(policy_id))
            if limit is not None and len(out) >= limit:
                break
        return out

    def get(self, image_id: str) -> dict[str, Any] | None:
        with self._lock:
            image = self._images.get(image_id)
            return image.document() if image else None
