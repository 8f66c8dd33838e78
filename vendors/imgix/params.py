"""The rendering parameters this edge understands, parsed and normalised (pure rules).

Supported (imgix's Rendering API names): ``w``, ``h`` (pixels, or a fraction of the source
when ≤ 1), ``dpr`` (1–5), ``fit`` (clip, crop, fill, max, min, scale), ``crop`` (top,
bottom, left, right, center, entropy, edges; faces accepted and never found, see
:mod:`vendors.imgix.smart_crop`), ``fm`` (jpg, pjpg, png, gif, webp, avif), ``q`` (0–100),
``auto`` (format, compress), ``bg`` (hex colour), ``mark`` (sub-image URL) with
``mark-w``, ``mark-align``, ``mark-pad``, ``mark-alpha``, ``blend`` (sub-image URL or hex
colour) or ``blend-color`` with ``blend-mode`` (imgix's sixteen), ``blend-alpha``,
``blend-w``, ``blend-h``, ``blend-fit``, ``blend-crop``, ``blend-size``, ``blend-align``,
``blend-pad``, ``blend-x``, ``blend-y`` (see :mod:`vendors.imgix.layers`).

Viewer requests are treated as imgix treats them: unknown parameters and invalid values
are ignored (dropped before the cache key); imgix's aliases (``width``, ``m``, ``bm``…)
stand for their parameters. A source's ``default_params`` take every parameter imgix
documents (:mod:`vendors.imgix.param_catalogue`), refusing what imgix would not take; those
not rendered here are stored and ignored when rendering.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from imaging.formats import Format
from vendors.imgix.blend_modes import MODES as BLEND_MODES
from vendors.imgix.param_catalogue import ALIASES, CATALOGUE, canonical, documented_value

_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
_ALIGN = {"top", "bottom", "left", "right", "middle", "center"}
FITS = ("clip", "crop", "fill", "max", "min", "scale")
CROPS = {"top", "bottom", "left", "right", "faces", "edges", "entropy", "center"}
# ``fm`` values → the format written (``pjpg``: JPEG, progressive).
FM_FORMATS: dict[str, Format] = {
    "jpg": "jpeg",
    "pjpg": "jpeg",
    "png": "png",
    "gif": "gif",
    "webp": "webp",
    "avif": "avif",
}
FORMATS = tuple(FM_FORMATS)
BLEND_FITS = ("clamp", "clip", "crop", "max", "scale")
MAX_DIMENSION = 8192
SIGNATURE = "s"


def _number(low: float, high: float, *, integer: bool = False) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        try:
            number = float(value)
        except ValueError:
            return None
        if not low <= number <= high:  # NaN fails this too
            return None
        if integer:
            return str(int(number)) if number == int(number) else None
        return f"{number:g}"

    return check


def _dimension(value: str) -> str | None:
    return _number(0.0001, MAX_DIMENSION)(value)


def _choice(options: Iterable[str]) -> Callable[[str], str | None]:
    allowed = set(options)
    return lambda value: value.lower() if value.lower() in allowed else None


def _choices(options: Iterable[str]) -> Callable[[str], str | None]:
    allowed = set(options)

    def check(value: str) -> str | None:
        parts = [p.strip().lower() for p in value.split(",") if p.strip()]
        if not parts or any(p not in allowed for p in parts):
            return None
        return ",".join(sorted(set(parts)))

    return check


def _colour(value: str) -> str | None:
    match = _HEX.fullmatch(value)
    return match.group(1).lower() if match else None


def _url(value: str) -> str | None:
    if (
        value.startswith(("http://", "https://", "/"))
        and len(value) <= 2048
        and value.isprintable()
    ):
        return value
    return None


def _blend(value: str) -> str | None:
    return _colour(value) or _url(value)


CHECKS: dict[str, Callable[[str], str | None]] = {
    "w": _dimension,
    "h": _dimension,
    "dpr": _number(1, 5),
    "fit": _choice(FITS),
    "crop": _choices(CROPS),
    "fm": _choice(FORMATS),
    "q": _number(0, 100, integer=True),
    "auto": _choices(("format", "compress", "enhance", "redeye")),
    "bg": _colour,
    "mark": _url,
    "mark-w": _dimension,
    "mark-align": _choices(_ALIGN),
    "mark-pad": _number(0, 1000, integer=True),
    "mark-alpha": _number(0, 100, integer=True),
    "blend": _blend,
    "blend-mode": _choice(BLEND_MODES),
    "blend-alpha": _number(0, 100, integer=True),
    "blend-w": _dimension,
    "blend-h": _dimension,
    "blend-fit": _choice(BLEND_FITS),
    "blend-crop": _choices(CROPS),
    "blend-size": _choice(("inherit",)),
    "blend-align": _choices(_ALIGN),
    "blend-pad": _number(0, MAX_DIMENSION, integer=True),
    "blend-x": _number(-MAX_DIMENSION, MAX_DIMENSION, integer=True),
    "blend-y": _number(-MAX_DIMENSION, MAX_DIMENSION, integer=True),
    "blend-color": _colour,
}


class InvalidParam(ValueError):
    """A parameter name or value the rendering API does not accept."""


# Documented by imgix, accepted and stored, not rendered here (see the README's list).
IGNORED = frozenset(CATALOGUE) - frozenset(CHECKS)
MAX_DEFAULT_PARAMS = 200


def check_default_params(raw: object) -> dict[str, str]:
    """A source's ``default_params``, or InvalidParam naming the first bad one. Every
    parameter imgix documents is taken (by its name or an alias, stored as given); the
    values of those rendered here are normalised, the others are kept as written."""
    if not isinstance(raw, dict):
        raise InvalidParam("default_params must be an object")
    if len(raw) > MAX_DEFAULT_PARAMS:
        raise InvalidParam(f"default_params takes at most {MAX_DEFAULT_PARAMS} parameters")
    out = {}
    for name, value in raw.items():
        documented = canonical(name)
        if documented is None:
            raise InvalidParam(f"{name[:80]!r} is not an imgix rendering parameter")
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise InvalidParam(f"the value of {name!r} must be a string or a number")
        text = str(value)
        check = CHECKS.get(documented)
        checked = check(text) if check is not None else None
        if checked is None:
            if not _documented_otherwise(documented, text, rendered=check is not None):
                raise InvalidParam(f"{text[:80]!r} is not a valid value for {name!r}")
            checked = text
        out[name] = checked
    return out


def _documented_otherwise(name: str, value: str, *, rendered: bool) -> bool:
    """A value the renderer does not take but imgix documents: for a rendered parameter
    only one of its closed set (``fm=json``, ``fit=facearea``), never a free-form one."""
    if rendered and not CATALOGUE[name].values:
        return False
    return documented_value(name, value)


def normalise(query: Iterable[tuple[str, str]], defaults: Mapping[str, str]) -> dict[str, str]:
    """The parameters a render uses: ``defaults`` overridden by the request's valid ones
    (the last of repeated names wins; an alias counts as its parameter); names not
    rendered here and invalid values dropped."""
    out: dict[str, str] = {}
    for name, value in (*defaults.items(), *query):
        documented = ALIASES.get(name, name)
        check = CHECKS.get(documented)
        if check is None:
            continue
        checked = check(value)
        if checked is not None:
            out[documented] = checked
    return out


def choose_format(params: Mapping[str, str], accept: str) -> dict[str, str]:
    """``auto=format`` resolved for one browser: AVIF, then WebP, when ``accept`` takes them,
    unless ``fm`` is explicit. The result names the format in ``fm`` and drops ``format``
    from ``auto``, so the decision is in the cache key."""
    out = dict(params)
    autos = [a for a in out.get("auto", "").split(",") if a]
    if "format" not in autos:
        return out
    autos.remove("format")
    if autos:
        out["auto"] = ",".join(autos)
    else:
        out.pop("auto")
    if "fm" not in out:
        accepted = accept.lower()
        if "image/avif" in accepted:
            out["fm"] = "avif"
        elif "image/webp" in accepted:
            out["fm"] = "webp"
    return out


def colour_rgba(hex_value: str) -> tuple[int, int, int, int]:
    """imgix colours: RGB, ARGB, RRGGBB or AARRGGBB (alpha first)."""
    value = hex_value.lstrip("#")
    if len(value) in (3, 4):
        value = "".join(c * 2 for c in value)
    if len(value) == 6:
        value = "ff" + value
    a, r, g, b = (int(value[i : i + 2], 16) for i in range(0, 8, 2))
    return r, g, b, a
