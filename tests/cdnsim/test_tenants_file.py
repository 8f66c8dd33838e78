"""`--tenants-file`: tenant defaults and access keys from a JSON file, the whole lookup order
of seed 001 over HTTP against a real `cdnsim origin`, and a bad file refused with one line
per mistake naming its key, exit status 2, before anything starts."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from PIL import Image

from cdnsim.cli import main
from origin.auth import make_token
from origin.settings import DEV_JWT_SECRET
from tests.process import CdnsimProcess

ACME = "acme.image-service.dev.localhost"
ADMIN = {"Authorization": f"Bearer {make_token(DEV_JWT_SECRET, '*')}"}
TENANTS = {
    "tenants": {
        "acme": {"useResizeIncludeAll": "TRUE", "resizeGravity": "north", "accessKey": "k-acme"},
        "keyed": {"accessKey": "from-file"},
    }
}


def _red_over_blue() -> bytes:
    """A tall original: red top half, blue bottom half (a crop shows where it anchors)."""
    image = Image.new("RGB", (100, 200), (220, 0, 0))
    image.paste((0, 0, 220), (0, 100, 100, 200))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class Acme:
    """Admin calls and image requests for tenant acme on a running origin."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.pack = ""

    def admin(self, method: str, path: str, **kwargs) -> requests.Response:  # type: ignore[no-untyped-def]
        headers = {**ADMIN, "Host": ACME}
        response = requests.request(method, self.url + path, headers=headers, timeout=30, **kwargs)
        assert response.status_code == 200, response.text
        return response

    def image(self, query: str = "") -> tuple[str, str, Image.Image]:
        """(mode, gravity) from the variant key, and the decoded image, of thumb."""
        response = requests.get(
            f"{self.url}/api/v2/img/{self.pack}?location=thumb{query}",
            headers={"Host": ACME, "X-vimond-access-key": "k-acme"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        params = dict(
            p.split("=", 1) for p in response.headers["X-Variant-Key"].split("/")[-1].split(",")
        )
        return params["mode"], params["g"], Image.open(io.BytesIO(response.content))


def _centre(image: Image.Image) -> tuple[int, ...]:
    return image.convert("RGBA").getpixel((image.width // 2, image.height // 2))  # type: ignore[return-value]


def _corner_alpha(image: Image.Image) -> int:
    return image.convert("RGBA").getpixel((0, image.height - 1))[3]  # type: ignore[index]


@pytest.fixture(scope="module")
def acme(tmp_path_factory) -> Acme:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("tenants") / "tenants.json"
    path.write_text(json.dumps(TENANTS))
    origin = CdnsimProcess(
        [
            "origin",
            "--port",
            "0",
            "--render-workers",
            "1",
            "--tenants-file",
            str(path),
            "--tenant-access-key",
            "keyed=from-flag",
        ]
    )
    try:
        yield Acme(origin.url)
    finally:
        origin.kill(signal.SIGTERM)


def test_each_level_of_the_lookup_wins_over_the_next(acme: Acme):
    acme.admin("PUT", "/adminAPI/imageLocationConfig/thumb", json={"width": 100, "height": 50})
    acme.pack = acme.admin("POST", "/adminAPI/imagePacks", json={}).json()["id"]
    files = {"file": ("o.png", _red_over_blue(), "image/png")}
    acme.admin("POST", f"/adminAPI/imagePack/{acme.pack}/main/upload", files=files)

    # The tenant default: the config leaves both unset, so acme's TRUE and north decide,
    # whatever the client's resize-mode asks.
    mode, gravity, image = acme.image("&resize-mode=crop")
    assert (mode, gravity) == ("includeAll", "north") and _corner_alpha(image) == 0

    # The location config wins over the tenant default.
    acme.admin(
        "PUT",
        "/adminAPI/imageLocationConfig/thumb?force=true",
        json={"width": 100, "height": 50, "useResizeIncludeAll": "FALSE", "resizeGravity": "south"},
    )
    mode, gravity, image = acme.image()
    assert (mode, gravity) == ("crop", "south") and _centre(image)[2] > 150  # blue: the bottom

    # The pack wins over the location config.
    pack_path = f"/adminAPI/imagePack/{acme.pack}"
    acme.admin("PUT", pack_path, json={"useResizeIncludeAll": "TRUE", "resizeGravity": "east"})
    assert acme.image()[:2] == ("includeAll", "east")

    # The pack's location wins over the pack.
    acme.admin(
        "PUT",
        f"{pack_path}/thumb",
        json={"useResizeIncludeAll": "FALSE", "resizeGravity": "north"},
    )
    mode, gravity, image = acme.image()
    assert (mode, gravity) == ("crop", "north") and _centre(image)[0] > 150  # red: the top

    # The request's resize-gravity wins over every configured one; its resize-mode does not.
    mode, gravity, image = acme.image("&resize-gravity=south&resize-mode=includeAll")
    assert (mode, gravity) == ("crop", "south") and _centre(image)[2] > 150


def test_the_tenants_file_keys_and_the_flag_that_wins_over_them(acme: Acme):
    def status(tenant: str, key: str | None = None) -> int:
        headers = {"Host": f"{tenant}.image-service.dev.localhost"}
        headers |= {"X-vimond-access-key": key} if key else {}
        return requests.get(
            f"{acme.url}/api/v2/img/{'0' * 24}", headers=headers, timeout=10
        ).status_code

    assert status("acme") == 403 and status("acme", "k-acme") == 404  # 404: no such pack
    assert status("keyed", "from-file") == 403 and status("keyed", "from-flag") == 404
    assert status("other") == 404  # a tenant not listed: no key


BAD_FILES = [
    ("{", ["not JSON: Expecting property name enclosed in double quotes at line 1, column 2"]),
    ("[]", ['the document must be a JSON object {"tenants": {…}}, not an array']),
    ("{}", ['tenants: missing (the document is {"tenants": {NAME: {…}, …}})']),
    ('{"tenants": []}', ["tenants: must be an object of tenant name → settings, not an array"]),
    (
        '{"tenants": {"acme": {"resizeGravity": "up", "useResizeIncludeAll": true}}, "x": 1}',
        [
            "x: unknown key (known: tenants)",
            "tenants.acme.useResizeIncludeAll: must be one of UNSET, TRUE, FALSE, not true",
            (
                "tenants.acme.resizeGravity: must be one of north, northeast, east, southeast, "
                'south, southwest, west, northwest, center, not "up"'
            ),
        ],
    ),
    (
        '{"tenants": {"Acme Co": {"gravity": "north"}, "b": {"accessKey": "has space"}, "c": null}}',
        [
            (
                'tenants["Acme Co"]: not a tenant name (1 to 63 lower-case letters, digits and '
                "'-', starting with a letter or digit)"
            ),
            (
                'tenants["Acme Co"].gravity: unknown key (known: useResizeIncludeAll, '
                "resizeGravity, accessKey)"
            ),
            (
                "tenants.b.accessKey: must be 1 to 256 visible ASCII characters (no spaces), "
                "not a string of 9 characters"
            ),
            "tenants.c: must be an object of settings, not null",
        ],
    ),
    (
        '{"tenants": {"a": {}, "a": {"resizegravity": "north"}}}',
        [
            "tenants.a: given more than once",
            (
                "tenants.a.resizegravity: unknown key (known: useResizeIncludeAll, resizeGravity, "
                "accessKey); did you mean resizeGravity?"
            ),
        ],
    ),
    (b"\xff\xfe{}", ["not UTF-8 text"]),
]


@pytest.mark.parametrize(("content", "problems"), BAD_FILES)
def test_a_bad_tenants_file_is_one_line_per_mistake_and_exit_2(
    tmp_path: Path, capsys, content: str | bytes, problems: list[str]
):
    path = tmp_path / "tenants.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(SystemExit) as stopped:
        main(["origin", "--port", "0", "--tenants-file", str(path)])
    assert stopped.value.code == 2
    prefix = f"cdnsim origin: error: --tenants-file {path}: "
    assert capsys.readouterr().err.splitlines() == [prefix + p for p in problems]


def test_cdnsim_up_with_a_bad_tenants_file_stops_before_anything_starts(tmp_path: Path):
    path = tmp_path / "tenants.json"
    path.write_text('{"tenants": {"acme": {"resizeGravity": "up"}, "beta": {"gravity": "south"}}}')
    done = subprocess.run(
        [sys.executable, "-m", "cdnsim.cli", "up", "--tenants-file", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and done.stdout == ""
    prefix = f"cdnsim up: error: --tenants-file {path}: "
    assert done.stderr.splitlines() == [
        prefix + "tenants.acme.resizeGravity: must be one of north, northeast, east, southeast, "
        'south, southwest, west, northwest, center, not "up"',
        prefix + "tenants.beta.gravity: unknown key (known: useResizeIncludeAll, resizeGravity, "
        "accessKey)",
    ]


def test_a_missing_tenants_file_is_refused_while_parsing(tmp_path: Path, capsys):
    missing = tmp_path / "nope.json"
    with pytest.raises(SystemExit) as stopped:
        main(["origin", "--tenants-file", str(missing)])
    assert stopped.value.code == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert first == f"cdnsim origin: error: argument --tenants-file: no such file: {missing}"
