"""YAML parsing that remembers where every key and item was written.

Admins fix rules from messages like `areas.yaml:14: ...`, so each value's line is kept by
its path in the document: ("areas", 2, "when", 0, "tags") -> 14.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]


@dataclass
class YamlProblem:
    line: int
    path: Path
    message: str


@dataclass
class ParsedYaml:
    data: Any
    # 1-based line of each mapping key (for `key: value`) and each sequence item
    lines: dict[Path, int] = field(default_factory=dict)
    problems: list[YamlProblem] = field(default_factory=list)

    def line_of(self, path: Path) -> int:
        """The line of `path`, or of its nearest ancestor written in the file."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return 1


class _Builder:
    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        self.lines: dict[Path, int] = {}
        self.problems: list[YamlProblem] = []

    def build(self, node: yaml.Node, path: Path) -> Any:
        if isinstance(node, yaml.MappingNode):
            # `<<: *anchor` merges are resolved the way PyYAML itself does it
            self.loader.flatten_mapping(node)
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.loader.construct_object(key_node, deep=True)
                if isinstance(key, list | dict):
                    self.problems.append(
                        YamlProblem(key_node.start_mark.line + 1, path, "a key must be plain text")
                    )
                    continue
                child = (*path, key)
                if key in out:
                    self.problems.append(
                        YamlProblem(
                            key_node.start_mark.line + 1,
                            child,
                            f"duplicate key {key!r} (first written on line {self.lines[child]})",
                        )
                    )
                    continue
                self.lines[child] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, child)
            return out
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                child = (*path, index)
                self.lines[child] = item.start_mark.line + 1
                items.append(self.build(item, child))
            return items
        return self.loader.construct_object(node, deep=True)


def parse_yaml(text: str) -> ParsedYaml:
    """Parse one YAML document; syntax errors come back as problems, never as exceptions."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return ParsedYaml(data=None, lines={(): 1})
        builder = _Builder(loader)
        builder.lines[()] = node.start_mark.line + 1
        data = builder.build(node, ())
        return ParsedYaml(data=data, lines=builder.lines, problems=builder.problems)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        return ParsedYaml(data=None, problems=[YamlProblem(line, (), f"invalid YAML: {message}")])
    except yaml.YAMLError as exc:
        return ParsedYaml(data=None, problems=[YamlProblem(1, (), f"invalid YAML: {exc}")])
    finally:
        loader.dispose()
