"""``cdnsim sample-image PATH``: a photo-like image to upload in sessions and tests.

The same arguments give the same bytes. ``--colour`` tints the sky and the hills and is
written in the caption, so an image replaced by another colour is plain to see.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cdnsim.sample_image import (
    DEFAULT_COLOUR,
    DEFAULT_SIZE,
    encode,
    format_for,
    parse_colour,
    parse_size,
    sample_image,
)
from cdnsim.usage import new_file


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path", type=_image_path, metavar="PATH", help="where to write it: .jpg, .png or .webp"
    )
    parser.add_argument(
        "--size",
        type=_size,
        default=DEFAULT_SIZE,
        help="WIDTHxHEIGHT (default 1600x900)",
    )
    parser.add_argument(
        "--colour",
        "--color",
        type=_colour,
        default=DEFAULT_COLOUR,
        help=f"the scene's tint: a CSS colour name or #rrggbb (default {DEFAULT_COLOUR})",
    )
    parser.add_argument(
        "--caption", help="text in the lower left corner (default: the colour and size)"
    )
    parser.add_argument("--seed", type=int, default=1, help="the hills and the sun (default 1)")


def run(args: argparse.Namespace) -> int:
    colour = parse_colour(args.colour)
    width, height = args.size
    caption = args.caption if args.caption is not None else f"{args.colour} {width}x{height}"
    fmt = format_for(str(args.path))
    body = encode(sample_image(args.size, colour, caption=caption, seed=args.seed), fmt)
    args.path.write_bytes(body)
    print(f"{args.path}: {width}×{height} {fmt}, {len(body):,} bytes, {args.colour}")
    return 0


def _image_path(text: str) -> Path:
    try:
        format_for(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return new_file(text)


def _size(text: str) -> tuple[int, int]:
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _colour(text: str) -> str:
    try:
        parse_colour(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text
