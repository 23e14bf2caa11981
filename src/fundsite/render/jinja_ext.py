"""Jinja2 made cheaper for fundsite's pages, with the same output.

A project page makes ~90 template calls; Jinja's generic ``Context.call`` costs ~1.5 µs each
(it looks for ``pass_context`` markers on every call). Here:

* ``L('key')`` with a literal key is folded into the label's text when a template compiles,
  so Jinja's optimizer writes it into the template as static, already escaped text;
* fundsite's own helpers (``url``, ``area_name``, …: :class:`Direct`) and macros are called
  straight away, and templates' globals are a plain dict (:class:`FastEnvironment`);
* the header and footer are rendered once per set of links (:class:`Partials`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from types import BuiltinMethodType
from typing import Any

import jinja2
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.runtime import Context, Macro
from markupsafe import Markup


class Direct:
    """A template helper that needs no Jinja context: :class:`DirectContext` calls it directly."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)


class DirectContext(Context):
    """Jinja's context, calling :class:`Direct` helpers, macros and built-in methods without
    the generic checks (``Context.call`` would find what it passes them: nothing, or the
    eval context for a macro)."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        kind = type(__obj)
        if kind is Direct or kind is Macro or kind is BuiltinMethodType:
            if kwargs:
                kwargs.pop("_loop_vars", None)
                kwargs.pop("_block_vars", None)
            if kind is Direct:
                return __obj.fn(*args, **kwargs)
            if kind is Macro:
                return __obj(__self.eval_ctx, *args, **kwargs)
            return __obj(*args, **kwargs)  # e.g. str.startswith: never takes a context
        return super().call(__obj, *args, **kwargs)


class FastEnvironment(jinja2.Environment):
    """Jinja's environment with :class:`DirectContext`, and templates' globals in a plain dict.

    Jinja keeps them in a ``ChainMap`` over the environment's globals, read key by key in
    Python each time a template renders or is imported (~1 µs a global). fundsite never changes
    the globals once templates are loaded (Jinja asks for that too).
    """

    context_class = DirectContext

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


class LabelConstants(Extension):
    """Compile ``L('key')`` (a literal key of ``environment.label_constants``) as its text.

    ``L`` is fundsite's label function; a theme must not bind another ``L`` of its own.
    """

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        environment.extend(label_constants={})

    def filter_stream(self, stream: TokenStream) -> Iterable[Token]:
        labels: Mapping[str, str] = self.environment.label_constants  # type: ignore[attr-defined]
        return _fold(list(stream), labels)


def _fold(tokens: list[Token], labels: Mapping[str, str]) -> Iterator[Token]:
    i = 0
    while i < len(tokens):
        name, *call = tokens[i : i + 4]
        if (
            name.test("name:L")
            and (i == 0 or not tokens[i - 1].test("dot"))
            and [t.type for t in call] == ["lparen", "string", "rparen"]
            and call[1].value in labels
        ):
            yield Token(name.lineno, "string", labels[call[1].value])
            i += 4
        else:
            yield name
            i += 1


class Partials:
    """``partial('header.html')``: a fragment of every page, rendered once per set of links.

    A partial sees the globals and ``url()``, nothing of the page. It is rendered again only
    for a page whose ``url()`` gives other links for the targets the partial asked for (the
    header of a page three folders deep, or in ``funds/``), so most pages reuse a rendering.
    """

    def __init__(self, environment: jinja2.Environment) -> None:
        self.environment = environment
        self._targets: dict[str, tuple[str, ...]] = {}  # the url() targets of each partial
        self._html: dict[tuple[str, ...], Markup] = {}  # (name, *links) → rendered

    def render(self, name: str, url: Callable[[str], str]) -> Markup:
        targets = self._targets.get(name)
        if targets is not None:
            found = self._html.get((name, *map(url, targets)))
            if found is not None:
                return found
        asked: list[str] = []

        def recording(target: str) -> str:
            asked.append(target)
            return url(target)

        html = Markup(self.environment.get_template(name).render(url=Direct(recording)))
        self._targets[name] = tuple(asked)
        self._html[(name, *map(url, asked))] = html
        return html
