"""Thai word segmentation: agreement with the browser's ICU, speed and install size.

Usage::

    python benchmarks/segmentation.py [FILE ...]

Without arguments the corpus is ``shared/seeds/*.txt`` plus ``shared/spec/records.md``
(``shared/`` beside the repository).  The ground truth is ``Intl.Segmenter('th',
{granularity: 'word'})`` in headless Chromium (``/usr/bin/chromium`` through Playwright),
which is what Pagefind runs on a search query; without Chromium it falls back to Node's
``Intl.Segmenter`` and then to icu4py, and says so.

Per candidate it prints, against that reference:

* boundary precision / recall / F1 over the boundaries *inside Thai runs* (both neighbouring
  characters Thai: the hard cases; boundaries at spaces and punctuation are trivially agreed),
* exact-token agreement: share of the reference's Thai tokens reproduced with the same span,
* share of whole documents segmented identically,
* speed (µs per 1,000 characters, best of several runs) and installed size (from the wheel's
  RECORD: the distribution itself, bundled ICU libraries included, dependencies not).
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

Segmenter = Callable[[str], list[str]]

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
JS_SEGMENT = """(texts) => {
  const seg = new Intl.Segmenter('th', {granularity: 'word'});
  return texts.map((t) => Array.from(seg.segment(t), (s) => s.segment));
}"""
JS_TIME = """([texts, minMs]) => {
  const seg = new Intl.Segmenter('th', {granularity: 'word'});
  let runs = 0, n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) {
    for (const t of texts) for (const s of seg.segment(t)) n += s.segment.length;
    runs++;
  }
  return (performance.now() - t0) / runs;
}"""


def is_thai(ch: str) -> bool:
    return "\u0e00" <= ch <= "\u0e7f"


# --------------------------------------------------------------------------- candidates


def _icu4py() -> Segmenter:
    from icu4py.breakers import WordBreaker

    return lambda text: list(WordBreaker(text, "th")) if text else []


def _pyicu() -> Segmenter:
    import icu  # PyICU API: pyicu-wheels, icukit-pyicu or pyicu built against system ICU

    def seg(text: str) -> list[str]:
        if not text:
            return []
        bi = icu.BreakIterator.createWordInstance(icu.Locale("th"))
        bi.setText(text)
        units = text.encode("utf-16-le")  # ICU offsets are UTF-16 code units
        out, start = [], 0
        for end in bi:
            out.append(units[2 * start : 2 * end].decode("utf-16-le"))
            start = end
        return out

    return seg


def _newmm(corpus_file: str | None) -> Callable[[], Segmenter]:
    def factory() -> Segmenter:
        from pythainlp.corpus import get_corpus
        from pythainlp.tokenize import newmm
        from pythainlp.util import dict_trie

        trie = dict_trie(get_corpus(corpus_file)) if corpus_file else None
        return lambda text: newmm.segment(text, custom_dict=trie)

    return factory


def _nlpo3(corpus_file: str) -> Callable[[], Segmenter]:
    def factory() -> Segmenter:
        import nlpo3
        import pythainlp.corpus  # nlpo3 ships no dictionary: borrow pythainlp's word lists

        path = Path(pythainlp.corpus.__file__).with_name(corpus_file)
        nlpo3.load_dict(str(path), corpus_file)
        return lambda text: nlpo3.segment(text, corpus_file) if text else []

    return factory


def _fundsite() -> Segmenter:
    sys.path.insert(0, str(REPO / "src"))
    from fundsite.index.segment import segment

    return segment


CANDIDATES: dict[str, tuple[Callable[[], Segmenter], str]] = {
    "icu4py (ICU C++)": (_icu4py, "icu4py"),
    "PyICU (ICU C++)": (_pyicu, "icu"),
    "pythainlp newmm, default dict": (_newmm(None), "pythainlp"),
    "pythainlp newmm, ICU word list": (_newmm("icubrk_th.txt"), "pythainlp"),
    "nlpo3, pythainlp words_th": (_nlpo3("words_th.txt"), "nlpo3"),
    "nlpo3, ICU word list": (_nlpo3("icubrk_th.txt"), "nlpo3"),
    "fundsite.index.segment": (_fundsite, ""),
}


def icu_version(module: str) -> str:
    try:
        if module == "icu4py":
            import icu4py

            return f"ICU {icu4py.icu_version}"
        if module == "icu":
            import icu

            return f"ICU {icu.ICU_VERSION}"
    except ImportError:
        pass
    return ""


def installed_size(module: str) -> str:
    """Megabytes of the distribution that provides ``module`` (its RECORD), deps excluded."""
    if not module:
        return "-"
    dists = md.packages_distributions().get(module, [])
    total = 0
    for name in dists:
        for f in md.distribution(name).files or []:
            path = Path(str(f.locate()))
            if path.is_file():
                total += path.stat().st_size
    names = "+".join(dists)
    return f"{total / 2**20:.1f} MB ({names})" if dists else "-"


# --------------------------------------------------------------------------- references


def browser_reference(texts: list[str]) -> tuple[list[list[str]], float, str] | None:
    if not Path(CHROMIUM).exists():
        print(f"[skip] {CHROMIUM} not found: no browser reference (apt-get install chromium)")
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("[skip] playwright not installed: no browser reference")
        return None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        tokens = page.evaluate(JS_SEGMENT, texts)
        ms_per_run = page.evaluate(JS_TIME, [texts, 1000])
        version = browser.version
        browser.close()
    return tokens, ms_per_run * 1000, f"Chromium {version}"


def node_reference(texts: list[str]) -> tuple[list[list[str]], float, str] | None:
    node = shutil.which("node")
    if not node:
        return None
    script = (
        "const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        f"const seg = ({JS_SEGMENT})(texts);"
        f"const us = ({JS_TIME})([texts, 1000]) * 1000;"
        "console.log(JSON.stringify([seg, us, process.versions.icu]));"
    )
    out = subprocess.run(
        [node, "-e", script], input=json.dumps(texts), capture_output=True, text=True, check=True
    )
    tokens, us, icu_v = json.loads(out.stdout)
    return tokens, us, f"Node {subprocess.getoutput(node + ' --version')} (ICU {icu_v})"


# --------------------------------------------------------------------------- metrics


def spans(tokens: Iterable[str]) -> list[tuple[int, int]]:
    out, pos = [], 0
    for tok in tokens:
        out.append((pos, pos + len(tok)))
        pos += len(tok)
    return out


def compare(ref: list[list[str]], cand: list[list[str]], texts: list[str]) -> dict[str, float]:
    tp = fp = fn = tok_ref = tok_hit = same_docs = 0
    for text, r, c in zip(texts, ref, cand, strict=True):
        same_docs += r == c
        rs, cs = spans(r), spans(c)
        rb = {e for _, e in rs[:-1] if is_thai(text[e - 1]) and is_thai(text[e])}
        cb = {
            e for _, e in cs[:-1] if 0 < e < len(text) and is_thai(text[e - 1]) and is_thai(text[e])
        }
        tp += len(rb & cb)
        fp += len(cb - rb)
        fn += len(rb - cb)
        thai_ref = {s for s in rs if any(is_thai(ch) for ch in text[s[0] : s[1]])}
        tok_ref += len(thai_ref)
        tok_hit += len(thai_ref & set(cs))
    p = tp / (tp + fp) if tp + fp else 1.0
    r_ = tp / (tp + fn) if tp + fn else 1.0
    return {
        "P": p,
        "R": r_,
        "F1": 2 * p * r_ / (p + r_) if p + r_ else 0.0,
        "tok": tok_hit / tok_ref if tok_ref else 1.0,
        "docs": same_docs / len(texts),
    }


def time_us(fn: Segmenter, texts: list[str], min_s: float = 1.0) -> float:
    """Best-of microseconds for segmenting all ``texts`` once."""
    fn(texts[0])  # warm up: lazy dictionary loading is not part of the rate
    best, spent = float("inf"), 0.0
    while spent < min_s:
        t0 = time.perf_counter()
        for t in texts:
            fn(t)
        dt = time.perf_counter() - t0
        best, spent = min(best, dt), spent + dt
    return best * 1e6


# --------------------------------------------------------------------------- main


def load_corpus(files: list[str]) -> list[str]:
    paths = [Path(f) for f in files] or [
        *sorted((SHARED / "seeds").glob("*.txt")),
        SHARED / "spec" / "records.md",
    ]
    texts = [p.read_text(encoding="utf-8") for p in paths if p.is_file()]
    if not texts:
        sys.exit(f"no corpus: pass files, or provide {SHARED}/seeds/*.txt")
    return texts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", help="UTF-8 text files (default: shared seeds + spec)")
    args = ap.parse_args()
    texts = load_corpus(args.files)
    n_chars = sum(map(len, texts))
    n_thai = sum(is_thai(ch) for t in texts for ch in t)
    print(f"corpus: {len(texts)} documents, {n_chars:,} characters ({n_thai:,} Thai)\n")

    rows: list[tuple[str, list[list[str]], float, str]] = []
    reference = browser_reference(texts)
    if reference:
        rows.append((reference[2], reference[0], reference[1], "-"))
    node = node_reference(texts)
    if node:
        rows.append((node[2], node[0], node[1], "-"))

    for name, (factory, module) in CANDIDATES.items():
        try:
            fn = factory()
            tokens = [fn(t) for t in texts]
        except ImportError as exc:
            print(f"[skip] {name}: {exc}")
            continue
        label = f"{name} {icu_version(module)}".strip()
        rows.append((label, tokens, time_us(fn, texts), installed_size(module)))

    if not reference:
        reference = node or (None, None, None)  # type: ignore[assignment]
        if not node:
            print("[note] no browser or Node: reference is the first Python ICU binding")
    ref_tokens = reference[0] if reference[0] else rows[0][1]
    ref_name = reference[2] if reference[2] else rows[0][0]
    print(f"reference: Intl.Segmenter('th') in {ref_name}\n")

    head = (
        f"{'segmenter':<44} {'P%':>6} {'R%':>6} {'F1%':>6} {'tok%':>6} {'docs%':>6} "
        f"{'µs/1k ch':>9} {'k ch/s':>7} {'rtrip':>5}  installed"
    )
    print(head)
    print("-" * len(head))
    for label, tokens, us, size in rows:
        m = compare(ref_tokens, tokens, texts)
        roundtrip = all("".join(tok) == t for tok, t in zip(tokens, texts, strict=True))
        per_k = us / n_chars * 1000
        print(
            f"{label:<44} {m['P'] * 100:6.2f} {m['R'] * 100:6.2f} {m['F1'] * 100:6.2f} "
            f"{m['tok'] * 100:6.2f} {m['docs'] * 100:6.1f} {per_k:9.1f} "
            f"{n_chars / us * 1000:7.0f} {'yes' if roundtrip else 'NO':>5}  {size}"
        )
    print(
        "\nP/R/F1: boundaries between two Thai characters; tok: reference Thai tokens "
        "reproduced exactly; docs: documents segmented identically; speed excludes "
        "dictionary loading (browser/Node timed in their own engines)."
    )


if __name__ == "__main__":
    main()
