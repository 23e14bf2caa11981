"""YAML parsing that remembers where every key and value was written.

libyaml (``CSafeLoader``) does the parsing; only construction runs in Python, so positions cost
little. Mappings become :class:`PosDict` and sequences :class:`PosList`, each carrying the
(line, column) of its items. Floats are read as exact ``Decimal`` (money must not drift) and
timestamps stay strings, so dates are parsed in one place with one set of messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

try:
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing: still correct, ~7x slower
    _BaseLoader = yaml.SafeLoader

Pos = tuple[int, int]  # 1-based line, 1-based column


class PosDict(dict):
    """A mapping that knows where each key (``key_pos``) and value (``value_pos``) was written."""

    __slots__ = ("key_pos", "pos", "value_pos")

    def __init__(self) -> None:
        super().__init__()
        self.pos: Pos = (1, 1)
        self.key_pos: dict[Any, Pos] = {}
        self.value_pos: dict[Any, Pos] = {}

    def put(
        self, key: Any, key_pos: Pos, value: Any, value_pos: Pos, duplicates: list[DuplicateKey]
    ) -> None:
        """Add one entry with its positions; a key written twice is recorded in ``duplicates``."""
        if key in self:
            duplicates.append(DuplicateKey(str(key), key_pos, self.key_pos[key]))
        self[key] = value
        self.key_pos[key] = key_pos
        self.value_pos[key] = value_pos


class PosList(list):
    """A sequence that knows where each item was written."""

    __slots__ = ("item_pos", "pos")

    def __init__(self) -> None:
        super().__init__()
        self.pos: Pos = (1, 1)
        self.item_pos: list[Pos] = []


@dataclass(frozen=True)
class DuplicateKey:
    """A key written twice in one mapping (PyYAML would silently keep the last)."""

    key: str
    pos: Pos
    first: Pos


@dataclass(frozen=True)
class Surprise:
    """A value YAML would read as something else than what was written (``010231`` as the
    octal 4249, ``1:30:00`` as 5400, ``yes`` as true), or one beyond a limit; ``code`` names
    the message. The value is kept as the text written."""

    code: str
    pos: Pos
    params: dict[str, Any]


#: The longest text one value may hold (a project's rationale goes in the body, not a field).
MAX_TEXT = 20_000
#: How deep mappings and lists may nest (records nest three or four levels).
MAX_DEPTH = 20


class YamlSyntaxError(Exception):
    """Malformed YAML, with the position libyaml reported."""

    def __init__(
        self, problem: str, pos: Pos, context: str | None = None, code: str = "yaml-syntax"
    ) -> None:
        super().__init__(problem)
        self.problem = problem
        self.pos = pos
        self.context = context
        self.code = code  # the message: yaml-syntax, or yaml-too-deep


#: Characters YAML 1.1 (libyaml) counts as line breaks but editors, Git and GitHub do not.
_EXTRA_BREAKS = ("\x85", "\u2028", "\u2029")


def _line_map(text: str) -> list[tuple[int, int]] | None:
    """For each line as libyaml counts them: ``(line index, column shift)`` in ``\\n`` lines.

    None when the text has no NEL/LS/PS, so that both counts agree (the usual case).
    """
    if not any(c in text for c in _EXTRA_BREAKS):
        return None
    mapping = [(0, 0)]
    line, line_start = 0, 0
    for i, c in enumerate(text):
        if c == "\n":
            line, line_start = line + 1, i + 1
            mapping.append((line, 0))
        elif c in _EXTRA_BREAKS:
            mapping.append((line, i + 1 - line_start))
    return mapping


def _mark_pos(loader: _Loader, line: int, column: int) -> Pos:
    """A libyaml (line, column), 0-based, as the 1-based position an editor shows."""
    if loader.line_map is not None and 0 <= line < len(loader.line_map):
        line, shift = loader.line_map[line]
        column += shift
    return (line + 1 + loader.line_offset, column + 1)


_STR = "tag:yaml.org,2002:str"
_RESOLVER_FIRST = frozenset(k for k in yaml.SafeLoader.yaml_implicit_resolvers if k) | {""}


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    line_offset = 0
    line_map: list[tuple[int, int]] | None = None
    duplicates: list[DuplicateKey | Surprise]  # what files.read_record reports

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """Plain text that cannot be a number, bool, null or date is text: skip the regexes."""
        if kind is yaml.ScalarNode and (not implicit[0] or value[:1] not in _RESOLVER_FIRST):
            return _STR
        return super().resolve(kind, value, implicit)


_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _Converter:
    """Nodes → Python values, directly (PyYAML's generic constructor is ~2x slower here)."""

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.offset = loader.line_offset
        self.mapped = loader.line_map is not None
        self.memo: dict[int, Any] = {}  # aliases share their anchor's value
        self.building: set[int] = set()

    def value(self, node: yaml.Node) -> Any:
        key = id(node)
        if key in self.building:
            raise YamlSyntaxError(
                "an alias refers to itself (recursive)", self._at(node.start_mark)
            )
        if key in self.memo:
            return self.memo[key]
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        self.building.add(key)
        try:
            return self._collection(node, key)
        finally:
            self.building.discard(key)

    def _collection(self, node: yaml.Node, key: int) -> Any:
        mark = node.start_mark
        if isinstance(node, yaml.MappingNode):
            result = PosDict()
            result.pos = self._at(mark)
            self.memo[key] = result
            if any(k.tag == "tag:yaml.org,2002:merge" for k, _ in node.value):
                self.loader.flatten_mapping(node)
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    # field names are text: ``172:``, ``null:``, ``1.5:`` stay as written, so
                    # "unknown field 172" points at them (and ``1:``/``true:`` stay two keys)
                    name: Any = key_node.value
                else:
                    name = str(self.value(key_node))
                result.put(
                    name,
                    self._at(key_node.start_mark),
                    self.value(value_node),
                    self._at(value_node.start_mark),
                    self.loader.duplicates,
                )
            return result
        items = PosList()
        items.pos = self._at(mark)
        self.memo[key] = items
        for child in node.value:
            items.append(self.value(child))
            items.item_pos.append(self._at(child.start_mark))
        return items

    def _at(self, mark: Any) -> Pos:
        if self.mapped:
            return _mark_pos(self.loader, mark.line, mark.column)
        return (mark.line + 1 + self.offset, mark.column + 1)

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if len(node.value) > MAX_TEXT:
            _too_long(self.loader, node.value, self._at(node.start_mark))
        if tag in (_STR, _TIMESTAMP):
            return node.value
        return _typed(self.loader, tag, node.value, self._at(node.start_mark), node)


class _Fallback(Exception):
    """The document uses anchors, tags, merge keys or complex keys: use the node path."""


_NO_KEY = object()
_SIMPLE_CHARS = ("&", "*", "!", "<<", "?")


def _plain_scalar(loader: _Loader, value: str, pos: Pos) -> Any:
    """A plain (unquoted) scalar, typed as YAML 1.1 would, floats as exact Decimals."""
    if value[:1] not in _RESOLVER_FIRST:
        return value
    tag = yaml.SafeLoader.resolve(loader, yaml.ScalarNode, value, (True, False))
    if tag in (_STR, _TIMESTAMP):
        return value
    return _typed(loader, tag, value, pos, None)


_BOOL = "tag:yaml.org,2002:bool"
#: YAML 1.1's booleans that YAML 1.2, editors and people read as words.
_TRUE_FALSE = frozenset({"true", "false"})


def _typed(loader: _Loader, tag: str, value: str, pos: Pos, node: yaml.Node | None) -> Any:
    """A plain scalar that YAML 1.1 types as ``tag`` (a number, bool or null).

    Where YAML would silently read something else than what was written (octal ``010231``,
    hexadecimal ``0x1F``, base-60 ``1:30:00``, ``yes``/``no``/``on``/``off``) the text is kept
    and a :class:`Surprise` says how to write it; floats are exact Decimals.
    """
    if tag == _INT:
        if value.isdigit() and (value[0] != "0" or value == "0"):
            return int(value)
        digits = value.lstrip("+-").replace("_", "").lower()
        form = (
            "sexagesimal"
            if ":" in value
            else "base"
            if digits[:2] in ("0x", "0b")
            else "octal"
            if digits[:1] == "0" and len(digits) > 1
            else None
        )
        number = loader.construct_object(node or yaml.ScalarNode(tag, value), deep=True)
        if form is None:
            return number  # -5, 1_000: the number written
        loader.duplicates.append(
            Surprise("yaml-number", pos, {"value": value, "read": number, "form_code": form})
        )
        return value
    if tag == _FLOAT:
        if ":" in value:
            read = loader.construct_object(node or yaml.ScalarNode(tag, value), deep=True)
            params = {"value": value, "read": read, "form_code": "sexagesimal"}
            loader.duplicates.append(Surprise("yaml-number", pos, params))
            return value
        try:
            return Decimal(value.replace("_", ""))
        except InvalidOperation:  # .inf, .nan: keep the text, validation says what is wrong
            return value
    if tag == _BOOL and value.lower() not in _TRUE_FALSE:
        read = "true" if value.lower() in ("yes", "on", "y") else "false"
        loader.duplicates.append(Surprise("yaml-bool", pos, {"value": value, "read": read}))
        return value
    return loader.construct_object(node or yaml.ScalarNode(tag, value), deep=True)


def _too_long(loader: _Loader, value: str, pos: Pos) -> None:
    params = {"size": len(value), "limit": MAX_TEXT}
    loader.duplicates.append(Surprise("text-too-long", pos, params))


def _from_events(loader: _Loader) -> Any:
    """Build PosDict/PosList straight from libyaml's events (~2x faster than via nodes).

    Raises :class:`_Fallback` for what only the node path handles.
    """
    offset = loader.line_offset
    stack: list[list[Any]] = []  # [container, pending key, key position]
    root: Any = None
    loader.get_event()  # StreamStart
    if loader.check_event(yaml.StreamEndEvent):
        return None
    loader.get_event()  # DocumentStart
    while True:
        event = loader.get_event()
        kind = type(event)
        if kind is yaml.DocumentEndEvent:
            break
        mark = event.start_mark
        pos = (mark.line + 1 + offset, mark.column + 1)
        if kind is yaml.ScalarEvent:
            if event.anchor or (event.tag and event.tag != "!"):
                raise _Fallback
            if len(event.value) > MAX_TEXT:
                _too_long(loader, event.value, pos)
            value: Any = (
                _plain_scalar(loader, event.value, pos) if event.implicit[0] else event.value
            )
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.anchor or (event.tag and event.tag not in ("!", None)):
                raise _Fallback
            value = PosDict() if kind is yaml.MappingStartEvent else PosList()
            value.pos = pos
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            stack.pop()
            continue
        else:  # an alias
            raise _Fallback
        if stack:
            top = stack[-1]
            container = top[0]
            if type(container) is PosList:
                container.append(value)
                container.item_pos.append(pos)
            elif top[1] is _NO_KEY:
                if kind is not yaml.ScalarEvent or event.value == "<<":
                    raise _Fallback  # complex or merge keys
                top[1], top[2] = event.value, pos  # keys stay as written, like the node path
            else:
                container.put(top[1], top[2], value, pos, loader.duplicates)
                top[1] = _NO_KEY
        else:
            root = value
        if type(value) is PosDict or type(value) is PosList:
            stack.append([value, _NO_KEY, None])
            if len(stack) > MAX_DEPTH:
                raise _too_deep(pos)
    if not loader.check_event(yaml.StreamEndEvent):
        event = loader.get_event()
        raise yaml.composer.ComposerError(
            "expected a single document in the stream",
            None,
            "but found another document",
            event.start_mark,
        )
    return root


def _too_deep(pos: Pos) -> YamlSyntaxError:
    return YamlSyntaxError(f"nested more than {MAX_DEPTH} levels", pos, code="yaml-too-deep")


def _depth_checked(text: str, line_offset: int) -> None:
    """Raise :class:`YamlSyntaxError` where the document nests deeper than :data:`MAX_DEPTH`,
    reading events only (composing nodes would recurse once per level)."""
    loader = _BaseLoader(text)
    try:
        depth = 0
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    raise _too_deep((mark.line + 1 + line_offset, mark.column + 1))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()


MAX_NODES = 1_000_000


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """How many values the node stands for once aliases are expanded (guards alias bombs)."""
    key = id(node)
    if key not in memo:
        memo[key] = 1  # a cycle counts once; construction then reports it
        if isinstance(node, yaml.MappingNode):
            memo[key] += sum(
                _expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value
            )
        elif isinstance(node, yaml.SequenceNode):
            memo[key] += sum(_expanded_size(v, memo) for v in node.value)
    return memo[key]


def _offset_pos(text: str, position: int, line_offset: int) -> Pos:
    """The position of a character given by its offset (libyaml gives UTF-8 bytes)."""
    if _BaseLoader is not yaml.SafeLoader:
        position = len(text.encode("utf-8")[:position].decode("utf-8", errors="ignore"))
    before = text[:position]
    line = before.count("\n")
    return (line + 1 + line_offset, position - (before.rfind("\n") + 1) + 1)


def parse_yaml(text: str, line_offset: int = 0) -> tuple[Any, list[DuplicateKey | Surprise]]:
    """Parse one YAML document; positions are shifted by ``line_offset`` lines. Also returns
    the keys written twice and the values YAML would silently change (:class:`Surprise`).

    Raises :class:`YamlSyntaxError` for malformed input (never another exception type).
    """
    loader = _Loader(text)
    loader.line_offset = line_offset
    loader.line_map = _line_map(text)
    loader.duplicates = []
    try:
        if loader.line_map is None and not any(c in text for c in _SIMPLE_CHARS):
            try:
                return _from_events(loader), loader.duplicates
            except _Fallback:
                loader.dispose()
                loader = _Loader(text)
                loader.line_offset, loader.line_map, loader.duplicates = line_offset, None, []
        _depth_checked(text, line_offset)
        node = loader.get_single_node()
        if node is not None and "*" in text and _expanded_size(node, {}) > MAX_NODES:
            raise YamlSyntaxError(
                f"the document expands to more than {MAX_NODES:,} values (anchors/aliases)",
                (line_offset + 1, 1),
            )
        data = _Converter(loader).value(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = _mark_pos(loader, mark.line, mark.column) if mark else (line_offset + 1, 1)
        if "maximum nesting depth" in (exc.problem or ""):  # libyaml's own limit (1,000)
            raise _too_deep(pos) from None
        raise YamlSyntaxError(exc.problem or str(exc), pos, exc.context) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, e.g. U+0000
        raise YamlSyntaxError(
            f"{exc.reason} (#x{exc.character:04x})"
            if isinstance(exc.character, int)
            else str(exc.reason),
            _offset_pos(text, exc.position, line_offset),
        ) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), (line_offset + 1, 1)) from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # e.g. an int too large, an unhashable key, or an alias bomb nested too deep
        raise YamlSyntaxError(str(exc), (line_offset + 1, 1)) from None
    finally:
        loader.dispose()
    return data, loader.duplicates
