"""Hostile pull requests, family 8: YAML's silent conversions and its limits.

YAML 1.1 reads ``010231`` as the octal 4249, ``1:30:00`` as 5400, ``0x1F`` as 31 and ``yes`` as
true: a fund code, a time or a word silently becomes another value. Each is an error at the
value's line and column that says how YAML read it and how to write it (in quotes). Files,
texts and nesting have limits with plain errors, never a crash or a hang.
"""

from __future__ import annotations

import pytest

from conftest import (
    FUND,
    FUND_PATH,
    PROJECT,
    PROJECT_PATH,
    RECORDS,
    codes,
    en,
    line_of,
    only,
    replace_line,
    th,
)
from fundsite.load.safe import MAX_RECORD_BYTES
from fundsite.load.yamlpos import MAX_DEPTH, MAX_TEXT


@pytest.mark.parametrize(
    ("line", "written", "read", "form_en", "form_th"),
    [
        ("population: 010231", "010231", "4249", "an octal number", "เลขฐานแปด"),
        ("population: 0755", "0755", "493", "an octal number", "เลขฐานแปด"),
        ("population: 0o17", "0o17", None, None, None),  # YAML 1.1 has no 0o: text, a type error
        ("population: 0x1F", "0x1F", "31", "a hexadecimal or binary number", "เลขฐานสิบหก"),
        ("population: 0b101", "0b101", "5", "a hexadecimal or binary number", "ฐานสอง"),
        ("population: 1:30:00", "1:30:00", "5400", "a base-60 number", "เลขฐานหกสิบ"),
        ("population: 190:20:30", "190:20:30", "685230", "a base-60 number", "เลขฐานหกสิบ"),
        ("name: 1:30", "1:30", "90", "a base-60 number", "เลขฐานหกสิบ"),
        ("organization: 0123", "0123", "83", "an octal number", "เลขฐานแปด"),
    ],
)
def test_numbers_yaml_would_change(site, line, written, read, form_en, form_th):
    """An unquoted ``010231``, ``0x1F`` or ``1:30:00`` is not silently read as another number."""
    key = line.split(":")[0]
    text = replace_line(FUND, f"{key}:", line)
    problems = site.check({**RECORDS, FUND_PATH: text})
    if read is None:
        assert "yaml-number" not in codes(problems)
        return
    p = only(problems, "yaml-number")
    assert (p.severity, p.file, p.line, p.col) == (
        "error",
        FUND_PATH,
        line_of(FUND, f"{key}:"),
        len(key) + 3,
    )
    assert en(p).startswith(f"YAML reads {written} as {form_en}")
    assert read in en(p) and f'put it in quotes: "{written}"' in en(p)
    assert form_th in th(p) and f'"{written}"' in th(p)


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "Yes", "NO", "On", "OFF"])
def test_yes_and_no_are_words(site, word):
    """``yes``/``no``/``on``/``off`` are booleans to YAML 1.1: an error saying to quote them."""
    text = replace_line(PROJECT, "responsible:", f"responsible: {word}")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "yaml-bool")
    assert (p.file, p.line) == (PROJECT_PATH, line_of(PROJECT, "responsible:"))
    assert f'put them in quotes: "{word}"' not in en(p)  # one value, one quote
    assert f'put it in quotes: "{word}"' in en(p)
    assert "ค่าจริง/เท็จ" in th(p) and f'"{word}"' in th(p)


@pytest.mark.parametrize(
    "line",
    [
        'population: "010231"',
        "name: '1:30:00'",
        'responsible: "yes"',
        "population: 10231",
        "population: 0",
        "name: -5 คน",
    ],
)
def test_quoted_or_plain_values_are_accepted(site, line):
    """Quoted, the same text is what was meant; plain decimals stay numbers."""
    key = line.split(":")[0]
    record, path = (PROJECT, PROJECT_PATH) if key == "responsible" else (FUND, FUND_PATH)
    problems = site.check({**RECORDS, path: replace_line(record, f"{key}:", line)})
    assert not {"yaml-number", "yaml-bool"} & set(codes(problems))


def test_surprise_through_an_anchor_is_reported(site):
    """Anchors and aliases take another parser path: the same rule holds there."""
    text = replace_line(FUND, "population:", "population: &p 010231")
    p = only(site.check({**RECORDS, FUND_PATH: text}), "yaml-number")
    assert p.line == line_of(FUND, "population:")


def test_record_above_the_size_limit(site):
    """A record file of several MB (a pasted scan) is refused before it is parsed."""
    big = PROJECT + "ก" * (MAX_RECORD_BYTES // 3 + 10)
    p = only(site.check({**RECORDS, PROJECT_PATH: big}), "file-too-large")
    assert (p.file, p.line) == (PROJECT_PATH, 1)
    assert "too large" in en(p) and str(MAX_RECORD_BYTES) in en(p)
    assert "ใหญ่เกินไป" in th(p)


@pytest.mark.parametrize("key", ["responsible", "title", "organization"])
def test_text_above_the_length_limit(site, key):
    """One field holding a whole document: an error that says to write it in the body."""
    text = replace_line(PROJECT, f"{key}:", f"{key}: " + "ข้อความ" * (MAX_TEXT // 7 + 1))
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "text-too-long")
    assert (p.line, p.col) == (line_of(PROJECT, f"{key}:"), len(key) + 3)
    assert "body" in en(p) and str(MAX_TEXT) in en(p)


@pytest.mark.parametrize(
    "value",
    [
        "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
        "[" * 10_000 + "]" * 10_000,
        "&a " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5),  # the node path (anchors)
        "{a: " * 30 + "1" + "}" * 30,
    ],
)
def test_nesting_above_the_depth_limit(site, value):
    """Deep nesting (a RecursionError waiting to happen) is an error at its line."""
    text = replace_line(PROJECT, "responsible:", f"responsible: {value}")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "yaml-too-deep")
    assert (p.file, p.line) == (PROJECT_PATH, line_of(PROJECT, "responsible:"))
    assert str(MAX_DEPTH) in en(p) and str(MAX_DEPTH) in th(p)


def test_block_nesting_above_the_depth_limit(site):
    """Nesting by indentation counts the same as brackets."""
    deep = "\n".join("  " * i + f"k{i}:" for i in range(MAX_DEPTH + 3)) + " 1"
    text = replace_line(PROJECT, "responsible:", "responsible:\n" + _indent(deep))
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "yaml-too-deep")
    assert p.file == PROJECT_PATH


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.split("\n"))


def test_nesting_within_the_limit_is_only_a_type_error(site):
    """Real records nest three or four levels: no depth error below the limit."""
    value = "[" * 5 + "]" * 5
    text = replace_line(PROJECT, "responsible:", f"responsible: {value}")
    problems = site.check({**RECORDS, PROJECT_PATH: text})
    assert "yaml-too-deep" not in codes(problems) and "wrong-type" in codes(problems)
