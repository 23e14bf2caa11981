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


class YamlSyntaxError(Exception):
    """Malformed YAML, with the position libyaml reported."""

    def __init__(self, problem: str, pos: Pos, context: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.pos = pos
        self.context = context


def _pos(node: yaml.Node, line_offset: int) -> Pos:
    mark = node.start_mark
    return (mark.line + 1 + line_offset, mark.column + 1)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    line_offset = 0
    duplicates: list[DuplicateKey]


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> PosDict:
    result = PosDict()
    result.pos = _pos(node, loader.line_offset)
    yield result
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, list | dict):
            key = str(key)
        kpos = _pos(key_node, loader.line_offset)
        if key in result:
            loader.duplicates.append(DuplicateKey(str(key), kpos, result.key_pos[key]))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_pos[key] = kpos
        result.value_pos[key] = _pos(value_node, loader.line_offset)


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> PosList:
    result = PosList()
    result.pos = _pos(node, loader.line_offset)
    yield result
    for child in node.value:
        result.append(loader.construct_object(child, deep=True))
        result.item_pos.append(_pos(child, loader.line_offset))


def _construct_float(loader: _Loader, node: yaml.ScalarNode) -> Decimal | str:
    text = str(node.value).replace("_", "")
    try:
        return Decimal(text)
    except InvalidOperation:  # .inf, .nan: keep the text, validation says what is wrong
        return text


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> str:
    return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:omap", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_str)


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


def parse_yaml(text: str, line_offset: int = 0) -> tuple[Any, list[DuplicateKey]]:
    """Parse one YAML document; positions are shifted by ``line_offset`` lines.

    Raises :class:`YamlSyntaxError` for malformed input (never another exception type).
    """
    loader = _Loader(text)
    loader.line_offset = line_offset
    loader.duplicates = []
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_size(node, {}) > MAX_NODES:
            raise YamlSyntaxError(
                f"the document expands to more than {MAX_NODES:,} values (anchors/aliases)",
                (line_offset + 1, 1),
            )
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = (mark.line + 1 + line_offset, mark.column + 1) if mark else (line_offset + 1, 1)
        raise YamlSyntaxError(exc.problem or str(exc), pos, exc.context) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), (line_offset + 1, 1)) from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # e.g. an int too large, an unhashable key, or an alias bomb nested too deep
        raise YamlSyntaxError(str(exc), (line_offset + 1, 1)) from None
    finally:
        loader.dispose()
    return data, loader.duplicates
