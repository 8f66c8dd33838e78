"""Checks of a rendered timeline that a person would make by looking: every text inside
the picture, no marker label on another, an axis with its label and numbers.

Text is measured conservatively from its font size and character count (0.62 em per
character, wider than any sans-serif face's average), as a browser cannot be asked here.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
EM = 0.62


def plots(page: str) -> dict[str, ET.Element]:
    """Every ``svg.timeline`` of a page, parsed, by scenario name (a repeat is a problem)."""
    found: dict[str, ET.Element] = {}
    for chunk in re.findall(r'<svg class="timeline".*?</svg>', page, flags=re.DOTALL):
        svg = ET.fromstring(chunk)
        name = svg.attrib["data-scenario"]
        assert name not in found, f"two timelines for {name}"
        found[name] = svg
    return found


def _boxes(svg: ET.Element) -> list[tuple[str, str, tuple[float, float, float, float]]]:
    size = float(svg.attrib.get("font-size", 11))
    boxes = []
    for element in svg.iter(f"{SVG}text"):
        words = "".join(element.itertext())
        x, y = float(element.attrib["x"]), float(element.attrib["y"])
        width = EM * size * len(words)
        anchor = element.attrib.get("text-anchor", "start")
        left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        box = (left, y - size, left + width, y + 0.25 * size)
        if "rotate(-90" in element.attrib.get("transform", ""):  # a y axis title, turned
            box = (x - size, y - width / 2, x + 0.25 * size, y + width / 2)
        boxes.append((element.attrib.get("class", ""), words, box))
    return boxes


def outside_the_box(svg: ET.Element) -> list[str]:
    """Every text of an SVG that does not lie wholly inside its width and height."""
    width, height = float(svg.attrib["width"]), float(svg.attrib["height"])
    return [
        f"{words!r} lies outside the {width:g}×{height:g} box"
        for cls, words, (left, top, right, bottom) in _boxes(svg)
        if left < 0 or top < 0 or right > width or bottom > height
    ]


def problems(svg: ET.Element) -> list[str]:
    """What is wrong with one timeline plot; empty when nothing is."""
    found = outside_the_box(svg)
    boxes = _boxes(svg)
    labels = [(w, b) for c, w, b in boxes if c == "marker-label"]
    for i, (one, a) in enumerate(labels):
        for other, b in labels[i + 1 :]:
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                found.append(f"labels {one!r} and {other!r} overlap")
    texts = [w for _, w, _ in boxes]
    if "no observations" not in texts:
        if "simulated seconds since start" not in texts:
            found.append("no axis label")
        if not any(c == "tick-label" for c, _, _ in boxes):
            found.append("no numbers on the axis")
    return found
