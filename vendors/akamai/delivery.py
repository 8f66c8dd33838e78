"""Delivery rules of Image Manager, pure: the breakpoint an ``imwidth`` rounds up to,
the browser a request comes from (``imformat``, else User-Agent and Accept), the
formats the best image for that browser is chosen from, and the quality."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, Literal

from vendors.akamai.policy_validation import DEFAULT_QUALITY, DEFAULT_WIDTHS, FORMATS
from vendors.akamai.schema import INT, MAX_PIXELS_SIDE, PERCEPTUAL_QUALITIES, Member
from vendors.akamai.variables import resolve

Browser = Literal["chrome", "ie", "safari", "generic"]
BROWSERS: tuple[Browser, ...] = ("chrome", "ie", "safari", "generic")
# What each browser type decodes besides JPEG, PNG and GIF (Image Manager's choices).
BROWSER_FORMATS: dict[Browser, tuple[str, ...]] = {
    "chrome": ("webp",),
    "safari": ("jpeg2000",),
    "ie": ("jpegxr",),
    "generic": (),
}
_ACCEPT_FORMATS = {"image/avif": "avif", "image/webp": "webp", "image/jp2": "jpeg2000"}
UNIVERSAL = ("jpeg", "png", "gif")  # what every browser decodes
# What a policy without allowedFormats offers: every format but AVIF (an opt-in, as at Akamai).
DEFAULT_OFFERED = tuple(fmt for fmt in FORMATS if fmt != "avif")
# The order of a candidate list (in the cache key) and of a tie in size: modern formats first.
ORDER = ("avif", "webp", "jpeg2000", "jpegxr", "jpeg", "png", "gif")
PERCEPTUAL_TO_QUALITY = dict(zip(PERCEPTUAL_QUALITIES, (90, 80, 70, 60, 50), strict=True))
MAX_IMWIDTH = MAX_PIXELS_SIDE


class DeliveryError(ValueError):
    """A request parameter Image Manager cannot honour (answered with 400)."""


def parse_imwidth(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_IMWIDTH:
        raise DeliveryError(f"imwidth must be an integer from 1 to {MAX_IMWIDTH}, not {raw[:20]!r}")
    return int(raw)


def breakpoints(policy: Mapping[str, Any]) -> list[int]:
    """The policy's widths, ascending; a policy without any uses ``.auto``'s defaults."""
    widths = policy.get("breakpoints", {}).get("widths") or DEFAULT_WIDTHS
    return sorted(set(widths))


def pick_width(widths: Sequence[int], requested: int | None) -> int:
    """The next breakpoint up from ``requested`` (the largest when it exceeds them all);
    0 when no width was requested."""
    if requested is None:
        return 0
    for width in sorted(widths):
        if width >= requested:
            return width
    return max(widths)


def browser_of(imformat: str | None, user_agent: str) -> Browser:
    """``imformat`` when given (one of chrome, ie, safari, generic), else from the User-Agent."""
    if imformat is not None:
        if imformat not in BROWSERS:
            raise DeliveryError(
                f"imformat must be one of {', '.join(BROWSERS)}, not {imformat[:20]!r}"
            )
        return imformat  # type: ignore[return-value]
    ua = user_agent
    if "MSIE " in ua or "Trident/" in ua:
        return "ie"
    if "Chrome/" in ua or "Chromium/" in ua or "Edg/" in ua or "OPR/" in ua:
        return "chrome"
    if "Safari/" in ua and "Version/" in ua:
        return "safari"
    return "generic"


def accepted_formats(accept: str) -> set[str]:
    """Modern formats an Accept header names explicitly."""
    names = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    return {fmt for mime, fmt in _ACCEPT_FORMATS.items() if mime in names}


def candidate_formats(
    output: Mapping[str, Any],
    browser: Browser,
    accepted: Collection[str],
    producible: Collection[str],
) -> tuple[str, ...]:
    """The formats the best image is chosen from (the renderer keeps the smallest, see
    :mod:`vendors.akamai.best_image`), in :data:`ORDER`.

    Offered: ``allowedFormats`` (none given: every format but AVIF, which is opt-in) plus
    ``forcedFormats``, the seed's "forced extra formats" offered alongside the allowed ones.
    Kept: those the browser takes (JPEG, PNG and GIF; its type's modern format; what
    ``Accept`` names) and this build writes. GIF only when nothing else is left: its
    256-colour palette changes pixels the others keep, so it is never the best image.
    When the browser takes none of them, the offered formats we can write (the policy's
    word wins); when we can write none, JPEG."""
    offered = set(output.get("allowedFormats") or DEFAULT_OFFERED)
    offered |= set(output.get("forcedFormats", ()))
    takes = set(UNIVERSAL) | set(BROWSER_FORMATS[browser]) | set(accepted)
    candidates = (offered & takes & set(producible)) or (offered & set(producible)) or {"jpeg"}
    if len(candidates) > 1:
        candidates.discard("gif")
    return tuple(fmt for fmt in ORDER if fmt in candidates)


def quality_of(output: Mapping[str, Any], values: Mapping[str, str]) -> int:
    """perceptualQuality (as a fixed quality per tier) over quality, else 85."""
    if "perceptualQuality" in output:
        tier = resolve(Member(PERCEPTUAL_QUALITIES), output["perceptualQuality"], values)
        return PERCEPTUAL_TO_QUALITY[tier]
    if "quality" in output:
        return int(resolve(Member(INT, False, 1, 100), output["quality"], values))
    return DEFAULT_QUALITY
