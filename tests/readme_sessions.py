"""The README's shell sessions, as data: which fenced ``sh`` blocks are sessions, their
steps, and what each step claims to print.

How the README marks them (an HTML comment on the line before the fence):

- ``<!-- session: NAME -->``: the block is (part of) session NAME. Blocks of one name run
  in the README's order in one shell, so a stack started in the first is used by the next.
- ``<!-- not a session: WHY -->``: a list of commands that is not run as a whole (a server
  in the foreground, minutes of load…), with the reason.

Every ``sh`` block carries one of the two. In a session, a step is one complete shell
command (continuation lines and multi-line quotes included; ``bash -n`` decides where it
ends); the lines ``#   TEXT`` (a hash and three spaces) right after it are its claims:
TEXT must appear in what the step prints, ``…`` standing for any text, case aside; a
remark after three or more spaces in parentheses is not part of the claim.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

FENCE = re.compile(r"^```(\w*)\s*$")
MARKER = re.compile(r"^<!--\s*(session|not a session):\s*(.+?)\s*-->\s*$")
CLAIM = re.compile(r"^#   (?=\S)(.*?)(?:\s{3,}\(.*\))?\s*$")


@dataclass
class Step:
    command: str
    claims: list[str] = field(default_factory=list)
    line: int = 0  # in the README, for messages

    def pattern(self, claim: str) -> re.Pattern[str]:
        parts = [re.escape(part.strip()) for part in claim.split("…")]
        return re.compile(".*?".join(parts), re.IGNORECASE)


@dataclass
class Block:
    language: str
    marker: tuple[str, str] | None  # ("session", NAME) or ("not a session", WHY)
    lines: list[str]
    line: int


def blocks(readme: str) -> list[Block]:
    """Every fenced block with the marker on the line before it (if any)."""
    found: list[Block] = []
    lines = readme.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        marker = MARKER.match(lines[index - 1]) if index else None
        end = index + 1
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        found.append(
            Block(
                opening.group(1),
                (marker.group(1), marker.group(2)) if marker else None,
                lines[index + 1 : end],
                index + 2,
            )
        )
        index = end + 1
    return found


def sessions(readme: str) -> dict[str, list[Step]]:
    """Session name → its steps, in the README's order."""
    out: dict[str, list[Step]] = {}
    for block in blocks(readme):
        if block.language == "sh" and block.marker and block.marker[0] == "session":
            out.setdefault(block.marker[1], []).extend(steps(block))
    return out


def steps(block: Block) -> list[Step]:
    found: list[Step] = []
    pending: list[str] = []
    for offset, line in enumerate(block.lines):
        claim = CLAIM.match(line)
        if not pending and claim and found:
            found[-1].claims.append(claim.group(1))
            continue
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending.append(line)
        text = "\n".join(pending)
        if not text.endswith("\\") and _complete(text):
            found.append(Step(text, line=block.line + offset - len(pending) + 1))
            pending = []
    if pending:
        raise ValueError(f"README line {block.line}: an incomplete command: {pending[0]!r}")
    return found


def _complete(text: str) -> bool:
    """Whether ``text`` is a whole shell command (bash parses it without running it)."""
    checked = subprocess.run(
        ["bash", "-n"], input=text, text=True, capture_output=True, check=False
    )
    return checked.returncode == 0


def script(session: list[Step], outputs: Path) -> str:
    """One bash script running the steps in order in one shell, each step's output (stdout
    and stderr) and exit status in files of its own under ``outputs``."""
    parts = ["set -o pipefail"]
    for number, step in enumerate(session):
        out = outputs / f"{number}.out"
        parts.append(
            f"{{\n{step.command}\n}} > {out} 2>&1 < /dev/null\necho $? > {outputs / f'{number}.rc'}"
        )
    return "\n".join(parts) + "\n"
