"""The pytest plugin as a user meets it: a test file that uses nothing but the fixture
``cdnsim_stack`` (the README's example, taken from the README, and one more), run by a
pytest of its own in a subprocess that finds the plugin through its ``pytest11`` entry
point."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
MARKER = "<!-- the pytest plugin's example: tests/cdnsim/test_pytest_plugin.py runs it -->"

ANOTHER_TEST = """

def test_the_next_test_gets_the_stack_reset_with_the_demo_again(cdnsim_stack):
    since = cdnsim_stack.events(kind="reset")[-1]["seq"]
    pop, pack = cdnsim_stack.ready["pops"][0]["url"], cdnsim_stack.demo_packs[0]
    assert get(f"{pop}/api/v2/img/{pack}?location=thumb") == "Miss from cdnsim"
    assert [e["kind"] for e in cdnsim_stack.events("render", since=since)] == ["render"]
    assert set(cdnsim_stack.ready) >= {"origin", "pops", "control", "admin_token", "storage"}
"""


def readme_example() -> str:
    text = README.read_text(encoding="utf-8")
    after = text[text.index(MARKER) :]
    match = re.search(r"```python\n(.*?)```", after, re.DOTALL)
    assert match is not None
    return match.group(1)


def test_the_readme_example_is_ten_lines_or_so() -> None:
    lines = [line for line in readme_example().splitlines() if line.strip()]
    assert len(lines) <= 12


def test_a_users_test_file_with_only_the_fixture_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=readme_example() + ANOTHER_TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--cdnsim-demo", "-v")
    result.assert_outcomes(passed=2)
    assert "plugins:" in result.stdout.str() and "cdnsim" in result.stdout.str()


def test_without_the_demo_and_one_stack_per_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_plain="""
def test_an_empty_stack(cdnsim_stack):
    assert cdnsim_stack.demo_packs == []
    before = cdnsim_stack.now
    assert cdnsim_stack.advance(300) == before + 300
    assert [e["kind"] for e in cdnsim_stack.events("aggregator_tick")] == ["aggregator_tick"]
    assert len(cdnsim_stack.ready["pops"]) == 1


def test_a_stack_of_its_own(cdnsim_stack):
    assert cdnsim_stack.events("aggregator_tick") == []  # not the first test's stack
"""
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--cdnsim-scope", "function", "--cdnsim-pops", "1"
    )
    result.assert_outcomes(passed=2)
