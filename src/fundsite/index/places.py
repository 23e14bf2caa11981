"""Place and issue names the search page answers without the index: a name typed in full (or
its beginning) links straight to its page, for a few kilobytes instead of an index.

Written as ``search/places/<first letter>.json`` (the letter's code point in hex): the names
that begin with that letter, Thai and English, each with its kind, the area above it and its
page. A national portal's ~8,400 areas make about 60 such files of a few kilobytes each.
"""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from fundsite.index.records import search_records
from fundsite.plan import PagePlan
from fundsite.validate.graph import SiteGraph
from fundsite.write.atomic import remove, write_text


def name_key(name: str) -> str:
    """A name as the page compares it with a query: lower case, letters (with their marks)
    and digits only."""
    return "".join(
        ch for ch in name.lower() if ch.isalnum() or unicodedata.category(ch).startswith("M")
    )


def place_names(graph: SiteGraph, plans: Iterable[PagePlan]) -> dict[str, list[list[str]]]:
    """Each name key → ``[name, kind, area above, page]`` of the area and issue pages."""
    found: dict[str, list[list[str]]] = defaultdict(list)
    for plan in plans:
        if not plan.searchable or plan.make.__name__ not in ("area", "issue"):
            continue
        (record,) = search_records(graph, [plan])
        if plan.make.__name__ == "issue":
            english = graph.issues[plan.args[0]].name_en or ""
        else:
            english = record.meta.get("text", "")  # an area's own text is its English name
        entry = [record.meta["kind"], record.meta.get("area", ""), record.url.lstrip("/")]
        for name in dict.fromkeys(n for n in (record.meta["title"], english) if name_key(n)):
            found[name_key(name)].append([name, *entry])
    return found


def write_places(graph: SiteGraph, plans: Iterable[PagePlan], root: Path) -> int:
    """Write the place files into ``root/search/places/``; returns how many names."""
    remove(root, "search/places")
    shards: dict[str, dict[str, list[list[str]]]] = defaultdict(dict)
    names = place_names(graph, plans)
    for key in sorted(names):
        shards[f"{ord(key[0]):x}"][key] = names[key]
    for shard, entries in shards.items():
        text = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
        write_text(root, f"search/places/{shard}.json", text)
    return len(names)
