"""One network's policies (staging or production): the live set, every version ever
stored (derivatives render from the version named in their cache key) and the history
log of upserts and deletes. No HTTP here; times come from the injected clock."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from common.clock import Clock
from vendors.akamai.policy_validation import AUTO, auto_policy, validate_policy
from vendors.akamai.problems import Problem

Action = Literal["UPSERT", "DELETE"]
SYSTEM_USER = "system"


def akamai_date(timestamp: float) -> str:
    """Image Manager's date format, ``2015-06-09 15:41:37+0000``."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S+0000")


@dataclass(frozen=True)
class PolicyVersion:
    policy: dict[str, Any]  # canonical policy (see vendors.akamai.policy_validation)
    version: int
    date: float
    user: str
    action: Action

    @property
    def policy_id(self) -> str:
        return str(self.policy["id"])

    def document(self) -> dict[str, Any]:
        """The policy as GET returns it: its members plus version, date and user."""
        return {
            **self.policy,
            "version": self.version,
            "dateCreated": akamai_date(self.date),
            "user": self.user,
        }

    def history_item(self) -> dict[str, Any]:
        return {
            "id": self.policy_id,
            "version": self.version,
            "dateCreated": akamai_date(self.date),
            "policy": json.dumps({**self.policy, "currentVersion": self.version}, sort_keys=True),
            "action": self.action,
            "user": self.user,
        }


class PolicySet:
    """Policies of one network. Versions count up per policy id and never restart, not
    even after a delete, so a re-created policy never meets its predecessor's cache entries."""

    def __init__(self, network: str, clock: Clock) -> None:
        self.network = network
        self._clock = clock
        self._lock = threading.Lock()
        self._live: dict[str, PolicyVersion] = {}
        self._log: dict[str, list[PolicyVersion]] = {}
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._live.clear()
            self._log.clear()
            self._record(auto_policy(), SYSTEM_USER, "UPSERT")

    def _record(self, policy: dict[str, Any], user: str, action: Action) -> PolicyVersion:
        log = self._log.setdefault(policy["id"], [])
        version = log[-1].version + (action == "UPSERT") if log else 1
        entry = PolicyVersion(policy, version, self._clock.now(), user, action)
        log.append(entry)
        if action == "UPSERT":
            self._live[entry.policy_id] = entry
        else:
            self._live.pop(entry.policy_id, None)
        return entry

    def list_ids(self) -> list[str]:
        with self._lock:
            return [AUTO, *sorted(p for p in self._live if p != AUTO)]

    def live(self) -> dict[str, PolicyVersion]:
        """Every live policy's current version (a copy)."""
        with self._lock:
            return dict(self._live)

    def current(self, policy_id: str) -> PolicyVersion | None:
        with self._lock:
            return self._live.get(policy_id)

    def get(self, policy_id: str) -> PolicyVersion:
        found = self.current(policy_id)
        if found is None:
            raise Problem(404, f"policy {policy_id!r} does not exist on {self.network}")
        return found

    def put(self, policy_id: str, body: Any, user: str) -> tuple[PolicyVersion, bool]:
        """Store a new version; True when the policy did not exist (created)."""
        policy = validate_policy(policy_id, body)
        with self._lock:
            created = policy_id not in self._live
            return self._record(policy, user, "UPSERT"), created

    def delete(self, policy_id: str, user: str) -> PolicyVersion:
        if policy_id == AUTO:
            raise Problem(403, "the .auto policy cannot be deleted; modify it instead")
        with self._lock:
            live = self._live.get(policy_id)
            if live is None:
                raise Problem(404, f"policy {policy_id!r} does not exist on {self.network}")
            return self._record(live.policy, user, "DELETE")

    def history(self, policy_id: str) -> list[PolicyVersion]:
        """Every change to the policy, newest first (404 for an id never stored)."""
        with self._lock:
            log = list(self._log.get(policy_id, ()))
        if not log:
            raise Problem(404, f"policy {policy_id!r} has no history on {self.network}")
        return log[::-1]

    def at_version(self, policy_id: str, version: int) -> dict[str, Any] | None:
        """The policy as it was at ``version`` (also after later edits or a delete)."""
        with self._lock:
            for entry in self._log.get(policy_id, ()):
                if entry.version == version and entry.action == "UPSERT":
                    return entry.policy
        return None
