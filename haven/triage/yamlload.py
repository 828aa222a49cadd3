"""YAML that remembers line numbers, so validation can say `FILE:LINE: message`."""

from __future__ import annotations

from typing import Any

import yaml


class LocDict(dict[str, Any]):
    """A mapping with the line it starts on and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]
    value_lines: dict[str, int]
    # Block scalar style per key: "|" keeps lines, ">" folds them into one.
    value_styles: dict[str, str]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)

    def value_line_of(self, key: str) -> int:
        return self.value_lines.get(key, self.line_of(key))


class LocList(list[Any]):
    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LocDict:
    # Merge keys (`<<: *base`) let scenario files share a base set of facts.
    loader.flatten_mapping(node)
    result = LocDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    result.value_lines = {}
    result.value_styles = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
        line = value_node.start_mark.line + 1
        # A block scalar (`|` or `>`) starts on the line after its indicator.
        if isinstance(value_node, yaml.ScalarNode) and value_node.style in ("|", ">"):
            line += 1
            result.value_styles[key] = value_node.style
        result.value_lines[key] = line
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LocList:
    result = LocList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class YamlError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def load(text: str) -> Any:
    """Parse one YAML document; raise YamlError with the line of a syntax error."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        return _raise(line, f"YAML syntax error: {exc.problem or exc.context}")
    except yaml.YAMLError as exc:
        return _raise(1, f"YAML error: {exc}")


def _raise(line: int, message: str) -> Any:
    raise YamlError(line, message)
