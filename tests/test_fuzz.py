"""Property-based fuzzing of ``check_site``: it never raises, and it never passes in silence.

For any file written where a record belongs (arbitrary text, YAML-ish front matter built from
random nested values, arbitrary bytes):

- ``check_site`` returns; nothing raises;
- every problem points at a real place: ``1 <= line <= lines in the file`` and ``col >= 1``,
  and every code has a message in both languages;
- a record that did not make it into the graph has at least one error in its file, and a file
  without errors has its record in the graph;
- the console, JSON and GitHub renderings of the problems never raise.
"""

from __future__ import annotations

import json
import string
from decimal import Decimal
from pathlib import Path
from string import Formatter

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DATA_FILES, FUND, FUND_PATH, RECORDS, make_site
from fundsite.console import as_json, github, human
from fundsite.diagnostics import Problem
from fundsite.messages import MESSAGES, render
from fundsite.validate import check_site

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# where the fuzzed record goes, by kind: (path, id the file name implies, graph attribute)
TARGETS = {
    "fund": ("content/funds/fz.md", "funds"),
    "plan": ("content/plans/L5218/fz.md", "plans"),
    "project": ("content/projects/fz.md", "projects"),
    "report": ("content/reports/2025/fz.md", "reports"),
    "page": ("content/pages/fz.md", "pages"),
}
BASE = dict(RECORDS)

FIELDS = sorted(
    {
        "id", "kind", "name", "name_en", "organization", "area", "population", "finances",
        "fiscal_year", "carried_forward", "income", "nhso", "local", "other", "spent",
        "balance", "fund", "issue", "title", "situation", "indicator", "size", "unit",
        "objectives", "text", "baseline", "target", "budget", "plan", "issues", "programme",
        "support_type", "approved_on", "start", "end", "responsible", "mentor", "location",
        "installments", "report_start", "report_end", "amount", "target_groups", "planned",
        "attended", "status", "project", "date", "reporter", "participants", "photos", "src",
        "alt", "province", "district", "subdistrict", "region", "description", "order",
    }
)  # fmt: skip


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_site(tmp_path_factory.mktemp("fuzz") / "site", BASE)


# ---- strategies ----------------------------------------------------------------------------------


def _near_miss(name: str) -> st.SearchStrategy[str]:
    """A field name with one typo: a letter dropped, doubled, swapped or changed."""

    def mutate(args: tuple[int, str, int]) -> str:
        i, letter, how = args
        i %= len(name)
        if how == 0:
            return name[:i] + name[i + 1 :] or name
        if how == 1:
            return name[:i] + name[i] + name[i:]
        if how == 2 and i + 1 < len(name):
            return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        return name[:i] + letter + name[i + 1 :]

    return st.tuples(
        st.integers(0, 40), st.sampled_from(string.ascii_lowercase), st.integers(0, 3)
    ).map(mutate)


keys = st.one_of(
    st.sampled_from(FIELDS),
    st.sampled_from(FIELDS).flatmap(_near_miss),
    st.text(min_size=1, max_size=12),
    st.integers(-5, 3000),
    st.sampled_from(["<<", "?", "-", "true", "null", "~", "", "ชื่อ", "id ", " id"]),
)

dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.builds(
        lambda d, m, y: f"{d} {m} {y}",
        st.integers(0, 40),
        st.sampled_from(["ม.ค.", "ต.ค.", "พฤศจิกายน", "ก.พ.", "ตุลา", "Oct", "พ.ศ."]),
        st.integers(1900, 2700),
    ),
    st.builds(
        lambda y, m, d: f"{y}-{m:02d}-{d:02d}",
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
    ),
    st.sampled_from(["๑ ต.ค. ๒๕๖๗", "2567-10-01", "1 ต.ค. 2024", "2024-02-30", "2024-10-01 10:00"]),
)

amounts = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=None).map(str),
    st.decimals(min_value=-1000, max_value=10**9, places=2).map(lambda d: f"{d:,}"),
    st.sampled_from(["39,918.00", "3,99,18", "-1", "1.005", "0.10", ".inf", "NaN", "1e3", "บาท"]),
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**15), 10**15),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.text(alphabet="กขคงจฉชซญดตถทนบปผพฟมยรลวศสหอฮะาิีึืุูเแโใไ่้๊๋็์ํ๐๑๒๓๔๕๖๗๘๙ ", max_size=20),
    st.sampled_from(["081-234-5678", "1101700203450", "สงขลา", "ระโนด", "คลองแดน", "900702"]),
    st.sampled_from(["local", "programme", "completed", "meeting", "L5218", "alcohol"]),
    dates,
    amounts,
    st.sampled_from([2568, 2025, 13, 0, -1, "2568", "พ.ศ. 2568"]),
)


def _trees(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=5),
    )


values = st.recursive(scalars, _trees, max_leaves=25)


@st.composite
def shared(draw: st.DrawFn) -> dict:
    """A mapping whose values may be the same object twice: ``yaml.dump`` writes anchors/aliases."""
    front = draw(st.dictionaries(keys, values, max_size=12))
    if front and draw(st.booleans()):
        reused = draw(st.dictionaries(keys, values, min_size=1, max_size=3))
        for key in draw(st.lists(st.sampled_from(FIELDS), min_size=2, max_size=3)):
            front[key] = reused
    return front


def _dump(data: object) -> str:
    def represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
        return dumper.represent_scalar("tag:yaml.org,2002:float", str(value))

    yaml.SafeDumper.add_representer(Decimal, represent_decimal)
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return repr(data)


def _deep(depth: int) -> str:
    return "a: " + "[" * depth + "]" * depth + "\nb: " + "{x: " * depth + "1" + "}" * depth


@st.composite
def mangled(draw: st.DrawFn, text: str) -> str:
    """Editors' accidents: CRLF, a BOM, tabs, odd unicode, lines lost or repeated."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(0, 3))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(st.integers(0, 5))
        if how == 0:
            del lines[i]
        elif how == 1:
            lines.insert(i, lines[i])  # duplicate keys
        elif how == 2:
            lines[i] = "\t" + lines[i]
        elif how == 3:
            odd = draw(
                st.sampled_from(
                    ["\u2028", "\u2029", "\x85", "\u200b", "\u202e", "\x00", "\x07", "\ud7ff",
                     "\U0001f600", "\u0e48\u0e48", "\ufeff", "\r", ":", "#", "&a", "*a", "!!binary"]
                )
            )  # fmt: skip
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + odd + lines[i][at:]
        elif how == 4:
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        else:
            lines.insert(i, draw(st.text(max_size=20)))
    out = "\n".join(lines)
    if draw(st.booleans()):
        out = out.replace("\n", "\r\n")
    if draw(st.booleans()):
        out = "\ufeff" + out
    return out


@st.composite
def front_matter_files(draw: st.DrawFn) -> str:
    front = draw(st.one_of(shared(), values))
    text = _dump(front)
    if draw(st.integers(0, 9)) == 0:
        text = _deep(draw(st.integers(10, 400)))
    text = draw(mangled(text))
    body = draw(st.one_of(st.just(""), st.text(max_size=80)))
    closing = draw(st.sampled_from(["---", "---", "...", "--- ", ""]))
    return f"---\n{text}\n{closing}\n{body}"


# ---- the properties ------------------------------------------------------------------------------


def _lines_in(content: str | bytes) -> int:
    if isinstance(content, bytes):
        content = content.decode("utf-8", errors="replace")
    content = content.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return len(content.split("\n"))


def _check_properties(root: Path, kind: str, content: str | bytes) -> None:
    path, store = TARGETS[kind]
    for other, _ in TARGETS.values():
        (root / other).unlink(missing_ok=True)
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(
        content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass")
    )

    result = check_site(root, workers=1)  # must not raise

    assert result.graph is not None
    files = {path: content, **DATA_FILES, **BASE}
    for p in result.problems:
        assert isinstance(p, Problem)
        assert p.code in MESSAGES, p
        assert p.file in files, p
        assert 1 <= p.line <= _lines_in(files[p.file]), (p, _lines_in(files[p.file]))
        assert p.col >= 1, p
        # a pydantic error that positions.py does not know would say "another kind of value"
        assert p.params.get("expected_en") != "another kind of value", p
        for lang, template in zip(("th", "en"), MESSAGES[p.code], strict=True):
            message, _ = render(p, lang)
            assert message, p
            wanted = {name for _, name, _, _ in Formatter().parse(template) if name}
            for name in wanted - set(p.params) - {"field"}:  # filled from a *_code param
                stem = name.rsplit("_", 1)[0]
                assert name.endswith(("_th", "_en")) and f"{stem}_code" in p.params, (p, name)
    errors = [p for p in result.problems if p.severity == "error" and p.file == path]
    in_graph = "fz" in getattr(result.graph, store)
    if not in_graph:
        assert errors, f"{path} left out of the graph without an error"
    if not errors:
        assert in_graph, f"{path} has no error but is not in the graph"
    # the base records are never blamed for the fuzzed one
    assert not [p for p in result.problems if p.file in BASE and p.severity == "error"]
    # every rendering works
    human(result.problems, root, "th", result.files)
    human(result.problems, root, "en", result.files)
    github(result.problems, "th")
    json.loads(as_json(result.problems, "en"))


kinds = st.sampled_from(sorted(TARGETS))


@SETTINGS
@given(kind=kinds, text=st.text(max_size=300))
def test_arbitrary_text_as_a_record(fuzz_root, kind, text):
    _check_properties(fuzz_root, kind, text)


@SETTINGS
@given(kind=kinds, text=st.text(max_size=300))
def test_arbitrary_text_inside_front_matter(fuzz_root, kind, text):
    _check_properties(fuzz_root, kind, f"---\n{text}\n---\n")


@SETTINGS
@given(kind=kinds, text=front_matter_files())
def test_random_front_matter(fuzz_root, kind, text):
    _check_properties(fuzz_root, kind, text)


@SETTINGS
@given(kind=kinds, data=st.binary(max_size=300))
def test_arbitrary_bytes(fuzz_root, kind, data):
    _check_properties(fuzz_root, kind, data)


@SETTINGS
@given(kind=kinds, data=st.binary(max_size=60))
def test_front_matter_with_bytes(fuzz_root, kind, data):
    _check_properties(fuzz_root, kind, b"---\nid: fz\ntitle: " + data + b"\n---\n")


@st.composite
def almost_valid(draw: st.DrawFn) -> tuple[str, str]:
    """A valid record of a kind with one field changed to a random value or dropped."""
    records = {
        "fund": {"id": "fz", "kind": "local", "name": "n", "area": {"subdistrict": "900702"}},
        "plan": {
            "id": "fz", "fund": "L5218", "fiscal_year": 2568, "issue": "alcohol", "title": "t"
        },
        "project": {
            "id": "fz", "title": "t", "fund": "L5218", "issues": ["alcohol"], "budget": "100.00",
            "start": "2024-10-01", "end": "2025-09-30", "area": {"province": "สงขลา"},
            "installments": [{"amount": "100"}], "target_groups": [{"name": "g", "planned": 2}],
        },
        "report": {"id": "fz", "project": "68-L5218-4-01", "title": "t", "date": "2025-01-01"},
        "page": {"title": "t"},
    }  # fmt: skip
    kind = draw(kinds)
    record = dict(records[kind])
    key = draw(st.one_of(st.sampled_from(sorted(record)), keys))
    if draw(st.booleans()) and key in record:
        del record[key]
    else:
        record[key] = draw(values)
    return kind, "---\n" + _dump(record) + "---\n" + draw(st.text(max_size=40))


@SETTINGS
@given(case=almost_valid())
def test_almost_valid_records(fuzz_root, case):
    kind, text = case
    _check_properties(fuzz_root, kind, text)


@st.composite
def mangled_fund(draw: st.DrawFn) -> str:
    """The reference fund with one line changed, dropped or repeated."""
    lines = FUND.split("\n")
    i = draw(st.integers(1, len(lines) - 2))
    how = draw(st.integers(0, 2))
    if how == 0:
        del lines[i]
    elif how == 1:
        lines.insert(i, lines[i])
    else:
        key = lines[i].split(":")[0] if ":" in lines[i] else "x"
        lines[i] = f"{key}: {_dump(draw(values)).strip()}".replace("\n", " ")
    return "\n".join(lines)


@SETTINGS
@given(text=st.one_of(mangled_fund(), front_matter_files(), st.text(max_size=200)))
def test_a_broken_fund_blames_only_itself(tmp_path_factory, text):
    """Plans, projects and reports of a fund with errors are not blamed for them."""
    root = make_site(tmp_path_factory.mktemp("fund") / "site", {**BASE, FUND_PATH: text})
    result = check_site(root, workers=1)
    errors = [p for p in result.problems if p.severity == "error"]
    assert {p.file for p in errors} <= {FUND_PATH}, [(p.file, p.code) for p in errors]
    if "L5218" not in result.graph.funds:
        assert errors
    for p in result.problems:
        assert 1 <= p.line <= _lines_in(text if p.file == FUND_PATH else BASE.get(p.file, "")), p


def test_the_base_of_the_fuzz_site_is_clean(fuzz_root):
    for other, _ in TARGETS.values():
        (fuzz_root / other).unlink(missing_ok=True)
    problems = [p for p in check_site(fuzz_root, workers=1).problems]
    assert problems == []
