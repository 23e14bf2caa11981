"""The render stage's fast paths give exactly what the slow, obvious code gives."""

from __future__ import annotations

import itertools
import json
import posixpath
import random
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import jinja2
import pytest

from fundsite.render import engine
from fundsite.render.jinja_ext import Direct, Partials
from fundsite.render.markdown import _converter, _plain_blocks, render_markdown
from fundsite.validate import check_site
from fundsite.write.outputs import to_json

MINI = Path(__file__).parent / "fixtures" / "mini"


def _relpath_url(page_path: str, target: str) -> str:
    """The original ``relative_url``: ``posixpath.relpath`` and ``quote``."""
    if "://" in target or target.startswith(("#", "mailto:")):
        return target
    target, _, fragment = target.partition("#")
    rel = posixpath.relpath(target or ".", posixpath.dirname(page_path) or ".")
    if target.endswith("/") and not rel.endswith("/"):
        rel += "/"
    if rel == "./" and fragment:
        return f"#{fragment}"
    rel = quote(rel, safe="/.-_~!$&'()*+,;=:@%")
    return f"{rel}#{fragment}" if fragment else rel


def test_links_match_relpath() -> None:
    segments = ["", ".", "..", "a", "ab", "funds", "x.y", ".x", "ก", "p q", "x:y", "%20"]
    paths = {"/".join(c) for n in range(3) for c in itertools.product(segments, repeat=n)}
    pages = sorted({"404.html", "index.html"} | {f"{p}/index.html" for p in paths if p})
    targets = sorted(
        {"", "#top", "mailto:x@y", "https://e.org/a", "static/site.css"}
        | {t + end for t in paths for end in ("", "/", "#f", "/#g")}
    )
    for page in pages:
        linker = engine.Linker(page)
        for target in targets:
            assert linker(target) == _relpath_url(page, target), (page, target)


def _body(rnd: random.Random) -> str:
    words = ["ชุมชน", "กองทุน", "abc", "1.", "(1)", "50%", "ก.ข.", '"q"', "-", "=", "+", "—"]
    specials = ["*", "_", "#", "<b>", "&", "[x](y)", "`c`", "|", "\\", "{: .x}"]
    lines = []
    for _ in range(rnd.randint(1, 8)):
        text = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 4)))
        if rnd.random() < 0.1:
            text += " " + rnd.choice(specials)
        prefix = rnd.choice(["## ", "# ", "###### ", "####### ", "- ", "- ", "* ", "1. ", "  "])
        lines.append(rnd.choice(["", "", prefix + text, text, "---", text + "  "]))
    return "\n".join(lines) + rnd.choice(["", "\n", "\n\n"])


def test_plain_markdown_matches_python_markdown() -> None:
    rnd = random.Random(0)
    fast = 0
    for _ in range(4000):
        body = _body(rnd)
        html = _plain_blocks(body)
        if html is not None:
            fast += 1
            assert html == _converter.reset().convert(body), body
    assert fast > 300  # the test exercises the fast path, not only the fallback


def test_markdown_is_sanitized_on_both_paths() -> None:
    assert render_markdown("## หัวข้อ\n\nข้อความ\n\n- หนึ่ง\n- สอง") == (
        "<h2>หัวข้อ</h2>\n<p>ข้อความ</p>\n<ul>\n<li>หนึ่ง</li>\n<li>สอง</li>\n</ul>"
    )
    html = render_markdown('<script>x()</script>[a](javascript:alert(1)) <b onclick="y">b</b>')
    assert "script" not in html and "javascript" not in html and "onclick" not in html


@pytest.mark.parametrize(
    "data",
    [
        {},
        [],
        "",
        None,
        True,
        1.5,
        float("nan"),
        {"b": 1, "a": {"z": [True, 2.5, "x", None]}, "c": [], "d": {}},
        {'k"ey\n': "v\u2028\x00é", "ก": ["ข", {"ค": (1, 2)}]},
        [[[]], [{}], {"x": [float("inf")]}],
        {1: "a", 2: {3: "b"}},
        {2: "a", 10: "b"},
    ],
)
def test_json_matches_the_standard_library(data: object) -> None:
    expected = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    assert to_json(data) == expected


def test_json_refuses_what_the_standard_library_refuses() -> None:
    with pytest.raises(TypeError):
        to_json({"a": [Decimal(1)]})


@pytest.fixture(scope="module")
def env() -> jinja2.Environment:
    result = check_site(MINI, workers=1)
    assert result.graph is not None
    return engine.make_env(engine.theme_dir(MINI, "default"), result.graph, "/")


def test_literal_labels_are_folded_and_others_called(env: jinja2.Environment) -> None:
    source = "{{ L('funds') }} {{ L(key) }} {{ L('no_such_label') }} {{ d.L('x') }}"
    code = env.compile(source, raw=True)
    assert "กองทุน" in code and "'funds'" not in code
    html = env.from_string(source).render(key="projects", d={"L": lambda k: k * 2})
    assert html == "กองทุน โครงการ no_such_label xx"


def test_partials_follow_the_page_links(env: jinja2.Environment) -> None:
    partials: Partials = env.partials  # type: ignore[attr-defined]
    pages = ["projects/a/index.html", "projects/b/index.html", "funds/F/index.html", "index.html"]
    for path in pages:
        linker = engine.Linker(path)
        expected = env.get_template("header.html").render(url=Direct(linker))
        assert partials.render("header.html", linker) == expected
    assert len(partials._html) == 3  # pages in projects/*/ share one header
