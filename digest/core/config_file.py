"""Reading the configuration: the YAML file, the `DIGEST_*` environment over it, and any problem as one line
naming the file and the key (exit 2). The models it fills are `config`'s.
"""

from __future__ import annotations

import difflib
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from digest.core.config import Config, KeywordSpec, Settings, SimilarTo, Topic
from digest.core.errors import ConfigError, validator_message
from digest.core.words import plural

try:
    from yaml import CSafeLoader as _LibyamlBase
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _LibyamlBase  # type: ignore[assignment]

__all__ = [
    "DEFAULT_CONFIG_PATH",
    "config_base",
    "load_config",
    "load_topic",
    "resolve_config_path",
    "unknown_variables",
]

log = logging.getLogger(__name__)

DEFAULT_CONFIG_PATH = Path("config/digest.yaml")

_OTHER_VARIABLES = ("DIGEST_CONFIG", "DIGEST_NOW")
"""The environment variables that are not settings."""


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """A warning for every `DIGEST_*` variable that sets nothing, naming the closest setting."""
    known = [f"DIGEST_{name.upper()}" for name in Settings.model_fields] + list(_OTHER_VARIABLES)
    warnings = []
    for name in sorted(variable for variable in environ if variable.startswith("DIGEST_")):
        if name in known:
            continue
        closest = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
        hint = f"did you mean {closest[0]}?" if closest else "`digest check-config` shows every setting"
        warnings.append(f"{name}: no such setting; {hint}")
    return warnings


def resolve_config_path(path: Path | None, environ: Mapping[str, str]) -> Path:
    """`--config`, else `DIGEST_CONFIG`, else `config/digest.yaml`."""
    if path is not None:
        return path
    if environ.get("DIGEST_CONFIG"):
        return Path(environ["DIGEST_CONFIG"])
    return DEFAULT_CONFIG_PATH


def config_base(path: Path) -> Path:
    """The folder the config file's relative paths start from: the project folder of `config/digest.yaml`
    (the parent of a folder named `config`), else the folder the file is in. Independent of the working
    directory, so cron, systemd and a shell in the project find the same folders."""
    folder = path.parent
    return folder.parent if folder.name == "config" else folder


_FOLDERS = {"output_dir": "output", "cache_dir": None, "labels_dir": "labels", "site_dir": None}
"""The settings that are folders, and the default of those that are relative to the config's base."""


def load_config(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Load, apply environment overrides, validate; any problem is one ConfigError naming file and key."""
    env = os.environ if environ is None else environ
    for warning in unknown_variables(env):
        log.warning("%s", warning)
    path = resolve_config_path(path, env)
    data = _read_yaml(path)
    overridden = _apply_environment(data, env)
    _resolve_folders(data, config_base(path), overridden)
    try:
        return Config.model_validate(data)
    except ValidationError as err:
        raise ConfigError(_describe(path, err, overridden)) from err


def load_topic(path: Path) -> tuple[str, Topic]:
    """A topic definition file for `digest try`, in any of three shapes: the Topic fields (and an optional
    `name`); a block copied from the config (`MLLM:` with its fields under it); or that block under `topic:`."""
    data = _read_yaml(path, "a topic: `keywords`, `filters`, …", what="topic file")
    if list(data) == ["topic"] and isinstance(data["topic"], dict):
        data = data["topic"]
    if len(data) == 1 and isinstance(next(iter(data.values())), dict) and next(iter(data)) not in Topic.model_fields:
        ((block_name, fields),) = data.items()
        data = {"name": block_name, **fields}
    name = str(data.pop("name", path.stem))
    try:
        return name, Topic.model_validate(data)
    except ValidationError as err:
        raise ConfigError(_describe(path, err, set(), Topic)) from err


def _read_yaml(path: Path, expected: str = "`category` and `topic`", what: str = "config") -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        hint = "; name it with --config PATH or DIGEST_CONFIG" if what == "config" else ""
        raise ConfigError(f"{path}: cannot read {what}: {err.strerror or err}{hint}") from err
    except OSError as err:
        raise ConfigError(f"{path}: cannot read {what}: {err.strerror or err}") from err
    try:
        data = _parse_yaml(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise ConfigError(f"{path}: {where}invalid YAML: {problem}") from err
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the file must be a mapping with {expected}")
    return data


def _parse_yaml(text: str) -> Any:
    """The YAML document in `text`, read safely (no arbitrary objects). libyaml's parser reads it, ten times
    faster than PyYAML's, which reads it again only when it is wrong: its messages name the character or
    token at fault ("found character '\\t' that cannot start any token"), libyaml's do not."""
    try:
        return yaml.load(text, Loader=_LibyamlLoader)
    except yaml.YAMLError:
        return yaml.load(text, Loader=_PythonLoader)


class _UniqueKeys(yaml.constructor.SafeConstructor):
    """PyYAML's safe constructor, refusing a key given twice in a mapping (it keeps the last one silently:
    a second `LLM:` topic would replace the first)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first_line: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *defaults` may be overridden: that is what it is for
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, list | dict):
                continue  # unhashable: SafeLoader's own error names it
            if key in first_line:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first on line {first_line[key]})", key_node.start_mark
                )
            first_line[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


class _PythonLoader(_UniqueKeys, yaml.SafeLoader):
    """PyYAML's own parser, for its messages."""


class _LibyamlLoader(_UniqueKeys, _LibyamlBase):
    """libyaml's parser, when PyYAML was built with it."""


def _apply_environment(data: dict[str, Any], environ: Mapping[str, str]) -> set[str]:
    """Copy `DIGEST_<NAME>` values over `settings.<name>`; return the names that came from the environment."""
    settings = data.get("settings")
    if settings is None:
        settings = data["settings"] = {}
    if not isinstance(settings, dict):
        return set()
    overridden = set()
    for name in Settings.model_fields:
        value = environ.get(f"DIGEST_{name.upper()}")
        if value is None:
            continue
        settings[name] = [part.strip() for part in value.split(",") if part.strip()] if name in _LISTS else value
        overridden.add(name)
    return overridden


def _resolve_folders(data: dict[str, Any], base: Path, overridden: set[str]) -> None:
    """Relative folders written in the file (or left to their default) start at `base`; a `DIGEST_*` value
    stays relative to the working directory, as a command-line path does."""
    settings = data["settings"]
    if not isinstance(settings, dict):
        return
    for name, default in _FOLDERS.items():
        value = settings.get(name, default)
        if name in overridden or not isinstance(value, str) or not value.strip():
            continue
        settings[name] = str(base / Path(value).expanduser())


_LISTS = {"holidays", "notify", "retry_minutes"}
"""The settings whose environment variable is a comma-separated list."""

_UNION_BRANCHES = {"str", "KeywordSpec"}


_KEYWORD_SHAPES = "a keyword is a string, a list of strings, or a mapping with `term` or `regex`"


def _is_branch(part: int | str) -> bool:
    return part in _UNION_BRANCHES or "[" in str(part)


def _key_path(loc: tuple[int | str, ...]) -> list[str]:
    """The keys of the file in a pydantic error location, without its names for union branches."""
    return [str(part) for part in loc if not _is_branch(part)]


def _wrong_branch(error: ErrorDetails) -> bool:
    """A union branch the value is not even shaped like (a mapping is not a string): noise beside the others."""
    return bool(error["loc"]) and _is_branch(error["loc"][-1]) and error["type"].endswith("_type")


def _describe(path: Path, err: ValidationError, overridden: set[str], root: type[BaseModel] = Config) -> str:
    errors = [error for error in err.errors() if not _wrong_branch(error)] or [
        ErrorDetails(type="value_error", loc=err.errors()[0]["loc"], msg=_KEYWORD_SHAPES, input=None)
    ]
    # Of a union's branches (a keyword is a string, a list or a mapping), the value error is the one that
    # explains what is wrong; the branch names are pydantic's, not keys of the file.
    first = next((error for error in errors if error["type"] == "value_error"), errors[0])
    loc = _key_path(first["loc"])
    shown = [loc]
    problem = validator_message(first)
    if first["type"] == "extra_forbidden":
        problem = "unknown key" + _did_you_mean(loc, root)
    if first["type"] == "missing":
        shown = [_key_path(error["loc"]) for error in errors if error["type"] == "missing"]
        problem = "required key is missing" if len(shown) == 1 else "required keys are missing"
    key = ", ".join(_shown_key(keys, overridden) for keys in shown)
    others = sorted({".".join(_key_path(error["loc"])) for error in errors} - {".".join(keys) for keys in shown})
    more = f" (and {plural(len(others), 'more problem')}: {', '.join(others)})" if others else ""
    return f"{path}: {key}: {problem}{more}"


def _shown_key(loc: list[str], overridden: set[str]) -> str:
    key = ".".join(loc) or "(top level)"
    if len(loc) >= 2 and loc[0] == "settings" and loc[1] in overridden:
        key = f"{key} (from DIGEST_{loc[1].upper()})"
    return key


def _did_you_mean(loc: list[str], root: type[BaseModel]) -> str:
    """`; did you mean X?` for an unknown key close to one the mapping it is in takes."""
    closest = difflib.get_close_matches(loc[-1], _keys_at(loc[:-1], root), n=1, cutoff=0.6) if loc else []
    return f"; did you mean {closest[0]}?" if closest else ""


def _keys_at(parents: list[str], root: type[BaseModel]) -> list[str]:
    """The keys the mapping at `parents` takes: a topic's, the settings', a keyword's, `similar_to`'s."""
    if "similar_to" in parents:
        return list(SimilarTo.model_fields)
    if "keywords" in parents or "filters" in parents:
        return list(KeywordSpec.model_fields)
    if root is Config and parents[:1] == ["settings"]:
        return list(Settings.model_fields)
    if root is Config and parents[:1] == ["topic"] and len(parents) == 2:
        return list(Topic.model_fields)
    return list(root.model_fields) if not parents else []
