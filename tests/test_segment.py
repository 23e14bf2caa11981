"""Thai word segmentation for the search index: fundsite.index.segment."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundsite.index.segment import index_words, segment

CHROMIUM = "/usr/bin/chromium"
SHARED = Path(__file__).resolve().parents[2] / "shared"

# Expected tokens are what Intl.Segmenter('th', {granularity: 'word'}) gives in Chromium 156.
COMPOUNDS = {
    "กองทุนหลักประกันสุขภาพอำเภอระโนด": ["กองทุน", "หลัก", "ประกัน", "สุขภาพ", "อำเภอ", "ระโนด"],
    "แรงงานนอกระบบ": ["แรงงาน", "นอก", "ระบบ"],
    "ผู้สูงอายุ": ["ผู้", "สูง", "อายุ"],
    "เบาหวาน": ["เบา", "หวาน"],
    "ไปๆมาๆ": ["ไปๆ", "มาๆ"],
    "กรุงเทพฯ": ["กรุงเทพฯ"],
}


@pytest.mark.parametrize(("text", "tokens"), COMPOUNDS.items())
def test_compound_words_split_as_icu(text: str, tokens: list[str]) -> None:
    assert segment(text) == tokens


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Community health fund", ["Community", " ", "health", " ", "fund"]),
        ("don't", ["don't"]),
        ("12.5 1,000 v1.2", ["12.5", " ", "1,000", " ", "v1.2"]),
        ("COVID-19", ["COVID", "-", "19"]),
    ],
)
def test_english_and_numbers_untouched(text: str, tokens: list[str]) -> None:
    assert segment(text) == tokens


@pytest.mark.parametrize(
    ("text", "tokens"),
    [  # Chromium's tailoring: full stops and colons between letters are word breaks
        ("อบต.คลอง", ["อบต", ".", "คลอง"]),
        ("พ.ร.บ.", ["พ", ".", "ร", ".", "บ", "."]),
        ("www.example.com", ["www", ".", "example", ".", "com"]),
        ("a:b", ["a", ":", "b"]),
        ("ค.ศ.2020", ["ค", ".", "ศ", ".", "2020"]),
        ("๑๒.๕", ["๑๒.๕"]),
    ],
)
def test_chromium_full_stop_and_colon(text: str, tokens: list[str]) -> None:
    assert segment(text) == tokens


def test_mixed_thai_english_digits() -> None:
    text = "ปีงบประมาณ 2567 (Diabetes screening) อบต.คลองหอยโข่ง"
    assert segment(text) == [
        "ปีงบประมาณ", " ", "2567", " ", "(", "Diabetes", " ", "screening", ")", " ",
        "อบต", ".", "คลอง", "หอย", "โข่ง",
    ]  # fmt: skip
    # punctuation takes no place: อบต.คลอง are adjacent words, as in the browser's query
    assert index_words(text) == "ปีงบประมาณ 2567 Diabetes screening อบต คลอง หอย โข่ง"


def test_empty_and_whitespace() -> None:
    assert segment("") == []
    assert index_words("") == ""
    assert segment(" \n") == [" ", "\n"]
    assert index_words(" \r\n\t") == ""


def test_index_words_one_space_apart() -> None:
    out = index_words("แรงงาน นอกระบบ\u200b ผู้สูงอายุ\n\nเบาหวาน 68-L5218-4-01")
    assert out == "แรงงาน นอก ระบบ ผู้ สูง อายุ เบา หวาน 68 L5218 4 01"


def test_lone_surrogate_round_trips() -> None:
    text = "ก\ud800แรงงาน"
    assert "".join(segment(text)) == text
    assert segment(text)[-1] == "แรงงาน"


def test_long_text_round_trips() -> None:
    text = "กองทุนหลักประกันสุขภาพอำเภอระโนด สนับสนุนโครงการแรงงานนอกระบบ 2567. " * 5000
    tokens = segment(text)
    assert "".join(tokens) == text
    assert tokens.count("แรงงาน") == 5000


THAI = "กขคงจฉชซญดตถทนบปผพฟมยรลวศสหอฮะาิีึืุูเแโใไ่้๊๋็ั์ํๆฯ๑๒"
MIXED = st.text(alphabet=st.sampled_from(list(THAI + "abcXYZ019 .,:;'-\n\t\u00a0")), max_size=200)


@given(MIXED)
def test_round_trip(text: str) -> None:
    tokens = segment(text)
    assert "".join(tokens) == text
    assert all(tokens)
    words = index_words(text).split()
    assert words == [t for t in tokens if any(ch.isalnum() for ch in t)]


@given(st.text(alphabet=st.sampled_from(list(THAI[:8] + " a\u200b")), max_size=50))
def test_round_trip_with_zwsp_in_input(text: str) -> None:
    assert "".join(segment(text)) == text
    indexed = index_words(text)
    assert "\u200b" not in indexed and "  " not in indexed and indexed == indexed.strip()


@pytest.mark.browser
def test_agrees_with_chromium_intl_segmenter() -> None:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.skip("chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    texts = [p.read_text(encoding="utf-8") for p in sorted((SHARED / "seeds").glob("*.txt"))]
    texts += [*COMPOUNDS, "อบต.คลอง a:b www.example.com 12.5 ค.ศ.2020 foo@bar.com e.g."]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            expected = browser.new_page().evaluate(
                """(texts) => {
                  const seg = new Intl.Segmenter('th', {granularity: 'word'});
                  return texts.map((t) => Array.from(seg.segment(t), (s) => s.segment));
                }""",
                texts,
            )
        finally:
            browser.close()
    for text, tokens in zip(texts, expected, strict=True):
        assert segment(text) == tokens
