"""The ``fundsite`` command: check, schema (build, new and serve come from their own modules)."""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from fundsite import __version__


def _check(args: argparse.Namespace) -> int:
    from fundsite import console
    from fundsite.validate import check_site

    site = Path(args.site)
    if not site.is_dir():
        print(_no_folder(site, args.lang), file=sys.stderr)
        return 2
    result = check_site(site, remember=not args.fresh)
    problems = result.problems
    if args.format == "github":
        text = console.github(problems, args.lang, args.root)
    elif args.format == "json":
        text = console.as_json(problems, args.lang)
    else:
        text = console.human(problems, site, args.lang, result.files)
    if text:
        print(text)
    if not result.ok:
        return 1
    if args.strict and problems:
        return 1
    return 0


def _no_folder(site: Path, lang: str) -> str:
    from fundsite.console import visible
    from fundsite.messages import ui

    return ui("no-folder", lang, path=visible(str(site)))


def _build(args: argparse.Namespace) -> int:
    import time

    from fundsite import console
    from fundsite.build import build

    site = Path(args.site)
    if not site.is_dir():
        print(_no_folder(site, args.lang), file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else site / "build"
    started = time.perf_counter()
    result = build(
        site,
        out,
        workers=args.jobs,
        index=not args.no_search,
        index_split=args.search_split,
        incremental=not args.clean,
        progress=lambda msg: print(msg, file=sys.stderr),
    )
    if not result.ok:
        print(console.human(result.problems, site, args.lang, 0))
        print("ไม่เผยแพร่: แก้ข้อผิดพลาดก่อน (the site was not published)", file=sys.stderr)
        return 1
    took = time.perf_counter() - started
    print(
        f"{result.pages} pages ({result.rendered} rendered) → {out} ({took:.1f} s)", file=sys.stderr
    )
    return 0


def _serve(args: argparse.Namespace) -> int:
    from fundsite.serve import run

    return run(args)


def _schema(args: argparse.Namespace) -> int:
    from fundsite.schema import write_schemas

    for path in write_schemas(Path(args.out)):
        print(path)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="fundsite",
        description="Static sites for Thai local health security funds (กองทุนสุขภาพตำบล).",
    )
    p.add_argument("--version", action="version", version=f"fundsite {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="validate every record and report all problems")
    check.add_argument("site", nargs="?", default=".", help="site folder (default: .)")
    check.add_argument("--format", choices=("human", "github", "json"), default="human")
    check.add_argument("--lang", choices=("th", "en"), default="th", help="message language")
    check.add_argument("--strict", action="store_true", help="warnings fail too")
    check.add_argument("--root", default="", help="prefix for paths in --format github output")
    check.add_argument(
        "--fresh",
        action="store_true",
        help="read every file again (default: only those changed since the last full check, "
        "kept in the cache folder)",
    )
    check.set_defaults(func=_check)

    build = sub.add_parser("build", help="build the static site (refuses when check has errors)")
    build.add_argument("site", nargs="?", default=".", help="site folder (default: .)")
    build.add_argument("-o", "--out", default=None, help="output folder (default: SITE/build)")
    build.add_argument("-j", "--jobs", type=int, default=None, help="render processes")
    build.add_argument("--lang", choices=("th", "en"), default="th", help="message language")
    build.add_argument("--no-search", action="store_true", help="skip the search index")
    build.add_argument(
        "--search-split",
        choices=("all", "region", "province"),
        default=None,
        help="search index parts: one, one per health region, one per province "
        "(default: by size, one below 20,000 searchable pages)",
    )
    build.add_argument(
        "--clean",
        action="store_true",
        help="check every file and render every page (default: only what changed since the "
        "last build)",
    )
    build.set_defaults(func=_build)

    serve = sub.add_parser("serve", help="build, serve on 127.0.0.1, rebuild and reload on change")
    serve.add_argument("site", nargs="?", default=".", help="site folder (default: .)")
    serve.add_argument("-p", "--port", type=int, default=8000, help="port (0: any free port)")
    serve.add_argument("--lang", choices=("th", "en"), default="th", help="message language")
    serve.add_argument(
        "--search",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="build the search index, and index each edit again (default; --no-search skips it)",
    )
    serve.add_argument("-j", "--jobs", type=int, default=None, help="render processes")
    serve.set_defaults(func=_serve)

    from fundsite.new import configure as configure_new  # flags per kind; runs fundsite.new.run

    new = sub.add_parser("new", help="start a fund, plan, project or report from a template")
    configure_new(new)

    schema = sub.add_parser("schema", help="write JSON Schemas of the record kinds for editors")
    schema.add_argument("--out", default="schemas", help="output folder (default: schemas)")
    schema.set_defaults(func=_schema)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show Thai gets escapes
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # no input may end in a traceback: say what failed and stop
        if os.environ.get("FUNDSITE_DEBUG"):
            raise
        print(_failure(exc, getattr(args, "lang", "th"), _where(args)), file=sys.stderr)
        return 2


def _where(args: argparse.Namespace) -> str:
    """The folder a command writes (or reads): named when a failure does not name a file."""
    if args.command == "build":
        return str(args.out or Path(args.site) / "build")
    return str(getattr(args, "out", None) or getattr(args, "site", None) or ".")


def _failure(exc: Exception, lang: str, where: str = "") -> str:
    """One plain line about a failure of the machine (disk, permissions) or of fundsite.

    ``where`` stands for the file when the error names none (a full disk fails ``write()``,
    which knows no file name)."""
    from fundsite.cache import CacheInsideSite
    from fundsite.console import visible
    from fundsite.messages import ui

    if isinstance(exc, CacheInsideSite):
        return ui("cache-inside-site", lang, path=visible(str(exc.folder)))
    if isinstance(exc, OSError):
        path = visible(str(exc.filename or where))
        detail = visible(exc.strerror or str(exc))
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return ui("disk-full", lang, path=path)
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return ui("read-only", lang, path=path, detail=detail)
        return ui("os-error", lang, path=path, detail=detail)
    return ui("internal-error", lang, detail=visible(f"{type(exc).__name__}: {exc}"))


if __name__ == "__main__":
    raise SystemExit(main())
