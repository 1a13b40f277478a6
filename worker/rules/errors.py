"""Rule errors as admins read them: `FILE:LINE: key.path: message`, every one of them."""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from worker.rules.yaml_lines import ParsedYaml, Path


@dataclass(frozen=True, order=True)
class RuleError:
    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}:{self.line}: {where}{self.message}"


class RulesInvalid(Exception):
    """The rule files have errors; `errors` holds every one found."""

    def __init__(self, errors: list[RuleError]) -> None:
        self.errors = sorted(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


def format_path(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class Located:
    """Turns paths in one parsed file into errors at the lines they were written on."""

    def __init__(self, file: str, parsed: ParsedYaml) -> None:
        self.file = file
        self.parsed = parsed

    def error(self, path: Path, message: str) -> RuleError:
        return RuleError(self.file, self.parsed.line_of(path), format_path(path), message)

    def from_validation(self, exc: ValidationError, model: type[BaseModel]) -> list[RuleError]:
        return [self._one(err, model) for err in exc.errors()]

    def _one(self, err: ErrorDetails, model: type[BaseModel]) -> RuleError:
        path = _data_path(self.parsed.data, err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            message = _unknown_key(str(path[-1]), _model_at(model, path[:-1]))
        elif kind == "missing":
            message = f"missing required key {path[-1]!r}"
        elif kind == "string_pattern_mismatch":
            message = (
                "must be lowercase letters, digits, '-' or '_', starting with a letter or "
                f"digit (got {err['input']!r})"
            )
        elif kind == "value_error":
            message = err["msg"].removeprefix("Value error, ")
        elif kind in ("model_type", "model_attributes_type", "dict_type") and not path:
            message = "the file must be a mapping of keys, like the examples in rules/README.md"
        else:
            message = f"{err['msg']} (got {_short(err['input'])})"
        return self.error(path, message)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _data_path(data: Any, loc: tuple[int | str, ...]) -> Path:
    """The part of a pydantic location that names places in the file.

    Union validation adds branch names ('int', 'str', ...) that are not in the data; they
    are dropped. A missing key is kept as the last part so the message can name it.
    """
    path: list[str | int] = []
    current = data
    for part in loc:
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_dict or in_list:
            path.append(part)
            current = current[part]
        elif isinstance(current, dict) and isinstance(part, str) and part.isidentifier():
            path.append(part)
            current = None
        # else: a union branch name, or a place under a scalar: not in the file
    return tuple(path)


def _model_at(model: type[BaseModel], path: Path) -> type[BaseModel] | None:
    """The model class that validates the mapping at `path`, following field annotations."""
    current: Any = model
    for part in path:
        current = _unwrap(current)
        if isinstance(part, int):
            args = typing.get_args(current)
            if typing.get_origin(current) is not list or not args:
                return None
            current = args[0]
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = _field_named(current, part)
            if field is None:
                return None
            current = field
        else:
            return None
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def _unwrap(annotation: Any) -> Any:
    """`X | None` -> X (the first model or list among the union's members)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        for arg in typing.get_args(annotation):
            if typing.get_origin(arg) is list or (
                isinstance(arg, type) and issubclass(arg, BaseModel)
            ):
                return arg
    return annotation


def _field_named(model: type[BaseModel], key: str | int) -> Any:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info.annotation
    return None


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _unknown_key(key: str, model: type[BaseModel] | None) -> str:
    if model is None:
        return f"unknown key {key!r}"
    allowed = _allowed_keys(model)
    close = difflib.get_close_matches(key, allowed, n=1)
    if close:
        return f"unknown key {key!r}; did you mean {close[0]!r}?"
    return f"unknown key {key!r}; allowed here: {', '.join(allowed)}"
