"""The storage emulators GCS and Azure sources read and upload to, when no endpoint is
configured: gcp-storage-emulator (a Python dependency) and Azurite (npm, run by node),
each a child process on 127.0.0.1 started on first use (or at start-up on request) and
ending with the stack.

Azurite is not installed by ``pip``: it is looked for in the project's cache
(``.cache/azurite``, where ``--imgix-azurite-install`` or :data:`INSTALL_COMMAND` puts it),
then on ``PATH``. When node or Azurite is missing, :class:`EmulatorMissing` names the piece.
Azurite serves Azure's well-known development account (:data:`AZURITE_ACCOUNT`); cdnsim
signs an account SAS for it (:func:`account_sas`) to create containers and for users.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from common.child_server import ChildServer

CACHE_DIR = Path(__file__).resolve().parents[2] / ".cache" / "azurite"
AZURITE_PACKAGE = "azurite@3"
INSTALL_COMMAND = f"npm install --prefix {CACHE_DIR} --no-audit --no-fund {AZURITE_PACKAGE}"
# Azure's documented development account: every Azurite knows it.
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
SAS_VERSION = "2020-08-04"


class EmulatorMissing(RuntimeError):
    """An emulator that cannot be had here; the message names what is missing."""


def azurite_binary(cache: Path = CACHE_DIR) -> str | None:
    """``azurite-blob`` from the cache, else from PATH; None when neither has it."""
    cached = cache / "node_modules" / ".bin" / "azurite-blob"
    if cached.exists():
        return str(cached)
    return shutil.which("azurite-blob")


def missing_azurite_piece(cache: Path = CACHE_DIR) -> str | None:
    """What stops Azurite from running here, in words; None when nothing does."""
    if shutil.which("node") is None:
        return "Azure sources need Azurite, which runs on node: node is not installed"
    if azurite_binary(cache) is None:
        return (
            "Azure sources need Azurite (npm): it is not installed; run "
            f"`{INSTALL_COMMAND}` or start with --imgix-azurite-install"
        )
    return None


def install_azurite(cache: Path = CACHE_DIR) -> None:
    """``npm install`` Azurite into ``cache`` (an explicit choice: it downloads ~180 MB)."""
    npm = shutil.which("npm")
    if npm is None:
        raise EmulatorMissing("installing Azurite needs npm, which is not installed")
    cache.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund", AZURITE_PACKAGE],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or azurite_binary(cache) is None:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise EmulatorMissing(f"npm could not install Azurite: {' '.join(tail)}")


class Emulator:
    """One emulator, started once on first use (from any task) and stopped with the stack."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.url = ""
        self._child: ChildServer | None = None
        self._lock = asyncio.Lock()

    def argv(self) -> list[str]:
        raise NotImplementedError

    async def ensure(self) -> str:
        """Its URL, starting it first if it is not running."""
        async with self._lock:
            if self._child is None or not self._child.running:
                child = ChildServer(self.argv(), self.what)
                self.url = await asyncio.to_thread(child.start)
                self._child = child
        return self.url

    @property
    def running(self) -> bool:
        return self._child is not None and self._child.running

    def stop(self) -> None:
        if self._child is not None:
            self._child.stop()
            self._child = None


class GcsEmulator(Emulator):
    def __init__(self) -> None:
        super().__init__("GCS emulator (gcp-storage-emulator)")

    def argv(self) -> list[str]:
        return [sys.executable, "-m", "vendors.imgix.gcs_process"]


class Azurite(Emulator):
    def __init__(self, *, install: bool = False, cache: Path = CACHE_DIR) -> None:
        super().__init__("Azure emulator (Azurite)")
        self.install, self.cache = install, cache

    @property
    def available(self) -> bool:
        return missing_azurite_piece(self.cache) is None

    def argv(self) -> list[str]:
        if self.install and shutil.which("node") and azurite_binary(self.cache) is None:
            install_azurite(self.cache)
        missing = missing_azurite_piece(self.cache)
        if missing is not None:
            raise EmulatorMissing(missing)
        binary = azurite_binary(self.cache)
        assert binary is not None
        return [sys.executable, "-m", "vendors.imgix.azurite_process", binary]

    async def ensure(self) -> str:
        # argv() may run npm: off the event loop.
        if self._child is None:
            await asyncio.to_thread(self.argv)
        return await super().ensure()


def account_sas(
    account: str = AZURITE_ACCOUNT, key: str = AZURITE_KEY, *, permissions: str = "rwdlac"
) -> str:
    """An account SAS for the Blob service (service, container and object resources),
    signed with the account key as Azure's "Create an account SAS" describes for version
    2020-08-04. Valid from 2020 to 2099: the same string every time, for one emulator."""
    start, expiry = "2020-01-01T00:00:00Z", "2099-12-31T00:00:00Z"
    fields = {
        "sv": SAS_VERSION,
        "ss": "b",
        "srt": "sco",
        "sp": permissions,
        "st": start,
        "se": expiry,
        "spr": "https,http",
    }
    to_sign = "\n".join(
        [account, fields["sp"], fields["ss"], fields["srt"], fields["st"], fields["se"]]
        + ["", fields["spr"], fields["sv"], ""]
    )
    digest = hmac.new(base64.b64decode(key), to_sign.encode(), hashlib.sha256).digest()
    fields["sig"] = base64.b64encode(digest).decode()
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in fields.items())
