"""Check a built site: every count on a money page links to a list of exactly that many records.

Usage: ``python benchmarks/verify_lists.py BUILD_DIR [--sample N]``. For each page with a money
section (home, fiscal years, regions, provinces, districts, sub-districts, issues, funds, each
of their years), every ``<a class="count">N …</a>`` is followed: to the section of the same page
(``#projects``) or to the paginated list (``…/projects/``, ``…/page/2/``, …), and the distinct
records linked there are counted. Prints how many counts and records were checked and every
count whose list does not hold exactly its records; exits 1 if there is one.
"""

from __future__ import annotations

import argparse
import posixpath
import random
import re
import sys
import time
from pathlib import Path

COUNT = re.compile(r'<a class="count" href="([^"]+)">([\d,]+) ')
KINDS = ("plans", "projects", "reports", "funds")
#: Where a page's own list of a kind is: from its id to the end of that element.
OWN = {
    "projects": ('id="projects"', "</table>"),
    "plans": ('id="plans"', "</section>"),
    "reports": ('id="reports"', "</section>"),
    "funds": ('id="funds"', "</section>"),
}


def record_ids(html: str, kind: str) -> set[str]:
    return set(re.findall(rf'href="(?:\.\./)*{kind}/([^/"#]+)/"', html))


def main_of(html: str) -> str:
    start = html.find("<main")
    return html[start : html.find("</main>", start)]


def own_list(html: str, kind: str) -> set[str]:
    opener, closer = OWN[kind]
    start = html.find(opener)
    if start < 0:
        return set()
    return record_ids(html[start : html.find(closer, start)], kind)


def paged_list(build: Path, folder: str, kind: str) -> set[str]:
    found: set[str] = set()
    page, number = build / folder / "index.html", 1
    while page.is_file():
        html = main_of(page.read_text(encoding="utf-8"))
        found |= record_ids(html.split('class="pager"', 1)[0], kind)
        number += 1
        page = build / folder / "page" / str(number) / "index.html"
    return found


def check_page(build: Path, rel: str) -> list[tuple[str, str, int, int]]:
    """(page, link, count, records reached) of every count on one page."""
    html = (build / rel).read_text(encoding="utf-8")
    if 'id="money"' not in html:
        return []
    money = html[html.find('id="money"') :]
    money = money[: money.find("</section>")]
    here = posixpath.dirname(rel)
    out = []
    for href, shown in COUNT.findall(money):
        count = int(shown.replace(",", ""))
        target, _, anchor = href.partition("#")
        if anchor:  # a section of this page, or of the year's page (the home page's)
            page = posixpath.normpath(posixpath.join(here, target, "index.html"))
            text = html if not target else (build / page).read_text(encoding="utf-8")
            reached = own_list(main_of(text), anchor)
        else:
            folder = posixpath.normpath(posixpath.join(here, target))
            kind = folder.rsplit("/", 1)[-1]
            reached = paged_list(build, folder, kind)
        out.append((rel, href, count, len(reached)))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("build", type=Path)
    parser.add_argument("--sample", type=int, help="check N money pages chosen at random")
    args = parser.parse_args()
    build = args.build
    t0 = time.perf_counter()
    folders = ["years", "regions", "provinces", "districts", "subdistricts", "issues", "funds"]
    pages = ["index.html"] + [
        p.relative_to(build).as_posix()
        for folder in folders
        if (build / folder).is_dir()
        for p in (build / folder).rglob("index.html")
        if "/page/" not in p.as_posix() and p.parent.name not in KINDS
    ]
    if args.sample and args.sample < len(pages):
        pages = random.Random(0).sample(pages, args.sample)
    counts = records = 0
    wrong = []
    for rel in pages:
        for row in check_page(build, rel):
            counts += 1
            records += row[2]
            if row[2] != row[3]:
                wrong.append(row)
    print(
        f"{len(pages):,} pages, {counts:,} counts summing {records:,} records:"
        f" {counts - len(wrong):,} lists hold exactly their records, {len(wrong)} do not"
        f" ({time.perf_counter() - t0:.1f} s)"
    )
    for rel, href, count, reached in wrong[:20]:
        print(f"  {rel}: {href} says {count}, lists {reached}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
