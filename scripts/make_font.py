#!/usr/bin/env python3
"""Make the default theme's self-hosted Thai webfont from the Noto Sans Thai on PyPI.

Tools, not runtime dependencies of fundsite::

    pip install fontpkg-noto-sans-thai fonttools brotli
    python scripts/make_font.py            # writes themes/default/static/fonts/

The variable ``NotoSansThai[wdth,wght].ttf`` (218 KB) is cut down to what the portal shows:

* the Thai block U+0E00–0E7F (with ฿ U+0E3F) and U+25CC, the dotted circle the shaper
  draws under a stray vowel or tone mark;
* printable ASCII, the no-break space, and the punctuation the pages and data use
  (· – — ‘ ’ “ ” … • −);
* the width axis pinned to normal (100) and the weight axis narrowed to 400–700, so one
  small file serves regular text and bold headings (``font-weight: 400 700`` in the CSS).

If the variable cut were larger than two static instances (400 and 700) together, those two
would be written instead; the script prints which it chose. The OFL licence is copied beside
the output, as the licence asks.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "themes" / "default" / "static" / "fonts"

# Keep in step with the unicode-range of the @font-face rules in static/site.css.
UNICODES = [
    *range(0x0020, 0x007F),  # printable ASCII
    0x00A0,  # no-break space
    0x00B7,  # middle dot (the site's separator)
    *range(0x0E00, 0x0E80),  # Thai, including ฿ (U+0E3F) and Thai digits
    *(0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026, 0x2212),
    0x25CC,  # dotted circle, for marks without a base
]
UNICODE_RANGE = (
    "U+0020-007E, U+00A0, U+00B7, U+0E00-0E7F, U+2013-2014, U+2018-2019, "
    "U+201C-201D, U+2022, U+2026, U+2212, U+25CC"
)

# Thai shaping needs these (mark positioning, stacking of tone marks over upper vowels,
# the composed forms of SARA AM and the descender-less YO YING / THO THAN).
FEATURES = ["ccmp", "locl", "mark", "mkmk", "kern", "liga", "rlig", "calt", "clig"]


def source_font() -> Path:
    try:
        import fontpkg_noto_sans_thai as pkg
    except ImportError:
        sys.exit("pip install fontpkg-noto-sans-thai fonttools brotli  (tools for this script)")
    found = sorted(pkg.ROOT.rglob("NotoSansThai*.ttf"))
    if not found:
        sys.exit(f"no NotoSansThai*.ttf under {pkg.ROOT}")
    return found[0]


def licence_file() -> Path:
    import fontpkg_noto_sans_thai as pkg

    return pkg.ROOT / "LICENSE"


def _subset(font: TTFont) -> TTFont:
    options = subset.Options()
    options.layout_features = FEATURES
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # keep copyright, names and licence
    options.name_languages = [0x0409]
    options.hinting = False  # the variable source has none worth keeping
    options.desubroutinize = True
    options.notdef_outline = True
    options.recalc_bounds = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=UNICODES)
    subsetter.subset(font)
    return font


def _woff2(font: TTFont) -> bytes:
    font.flavor = "woff2"
    # Reproducible output: keep the source's timestamp instead of "now".
    font.recalcTimestamp = False
    font["head"].modified = font["head"].created
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def variable_cut(src: Path) -> bytes:
    # Subset first, then instance: the other order trips over glyphs that gvar leaves out.
    font = _subset(TTFont(src))
    font = instancer.instantiateVariableFont(
        font, {"wdth": 100, "wght": (400, 700)}, updateFontNames=False
    )
    return _woff2(font)


def static_cut(src: Path, weight: int) -> bytes:
    font = _subset(TTFont(src))
    font = instancer.instantiateVariableFont(
        font, {"wdth": 100, "wght": weight}, updateFontNames=True
    )
    return _woff2(font)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--out", type=Path, default=OUT)
    parser.add_argument(
        "--static", action="store_true", help="always write two static weights (400, 700)"
    )
    args = parser.parse_args(argv)
    src = source_font()
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("noto-sans-thai*.woff2"):
        old.unlink()

    variable = variable_cut(src)
    regular, bold = static_cut(src, 400), static_cut(src, 700)
    print(f"source {src.name}: {src.stat().st_size:,} bytes")
    print(f"variable 400–700: {len(variable):,} bytes")
    print(f"static 400 + 700: {len(regular):,} + {len(bold):,} bytes")
    if not args.static and len(variable) <= len(regular) + len(bold):
        written = {"noto-sans-thai-var.woff2": variable}
    else:
        written = {"noto-sans-thai-400.woff2": regular, "noto-sans-thai-700.woff2": bold}
    for name, data in written.items():
        (args.out / name).write_bytes(data)
        print(f"wrote {args.out / name} ({len(data):,} bytes)")
    shutil.copyfile(licence_file(), args.out / "OFL.txt")
    print(f"wrote {args.out / 'OFL.txt'}")
    print(f"unicode-range: {UNICODE_RANGE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
