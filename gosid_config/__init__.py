"""Typed, frozen settings loaded once from ``config/*.toml`` and then ``GOSID_*`` variables.

Both applications use this loader; nothing else in the code base reads the environment.
Precedence (lowest to highest): dataclass defaults, the TOML file's section, environment
variables, explicit overrides passed by the caller (tests, CLI flags).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

REPO_ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


class SettingsError(ValueError):
    """A setting is missing, malformed or unsafe; the message names the setting."""


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get("GOSID_CONFIG_DIR", REPO_ROOT / "config"))


def _coerce(name: str, raw: Any, target: Any) -> Any:
    origin = typing.get_origin(target)
    if origin in (types.UnionType, typing.Union):
        args = [a for a in typing.get_args(target) if a is not type(None)]
        if raw is None or raw == "":
            return None
        return _coerce(name, raw, args[0])
    if target is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise SettingsError(f"{name}: expected true/false, got {raw!r}")
    if target is int:
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise SettingsError(f"{name}: expected an integer, got {raw!r}") from None
    if target is float:
        try:
            return float(raw)
        except (TypeError, ValueError):
            raise SettingsError(f"{name}: expected a number, got {raw!r}") from None
    if target is Path:
        path = Path(str(raw))
        return path if path.is_absolute() else REPO_ROOT / path
    if origin is tuple:
        if isinstance(raw, str):
            return tuple(p.strip() for p in raw.split(",") if p.strip())
        return tuple(raw)
    if target is str:
        return str(raw)
    return raw


def load_settings(
    cls: type[T],
    *,
    section: str,
    env_prefix: str,
    file_name: str,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> T:
    """Build ``cls`` (a frozen dataclass) from defaults, TOML, environment and overrides.

    Unknown keys in the TOML section or in ``overrides`` raise :class:`SettingsError`,
    so a typo never silently falls back to a default.
    """
    env = os.environ if environ is None else environ
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    path = config_dir(env) / file_name
    if path.exists():
        with path.open("rb") as fh:
            data = tomllib.load(fh).get(section, {})
        for key, raw in data.items():
            if key not in fields:
                raise SettingsError(f"{path}: [{section}] has unknown setting {key!r}")
            values[key] = _coerce(key, raw, hints[key])
    for name in fields:
        env_name = f"{env_prefix}{name.upper()}"
        if env_name in env:
            values[name] = _coerce(env_name, env[env_name], hints[name])
    for key, raw in (overrides or {}).items():
        if key not in fields:
            raise SettingsError(f"unknown setting {key!r}")
        values[key] = _coerce(key, raw, hints[key])
    return cls(**values)
