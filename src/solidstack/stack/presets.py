"""Stack files shipped with the package: the patent's FIG. 1-6 structures and its example cells.

``load_preset("example-1")`` returns a :class:`Stack`; ``resolve("example-1" or "my.toml")`` accepts either a
preset name or a file path, as every CLI command does.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from solidstack.errors import InputError, Problem, UnknownNameError
from solidstack.stack.io import parse_text
from solidstack.stack.model import Stack


def _preset_dir() -> Path:
    return Path(str(resources.files("solidstack.stack") / "presets"))


def preset_paths() -> dict[str, Path]:
    """Preset name -> file, sorted by name."""
    return {p.stem: p for p in sorted(_preset_dir().glob("*.toml"))}


def preset_names() -> list[str]:
    return list(preset_paths())


def preset_summary(name: str) -> dict[str, str]:
    """Name, title and source of a preset, read without building the stack."""
    data = tomllib.loads(preset_paths()[name].read_text(encoding="utf-8"))
    return {"preset": name, "name": data.get("name", ""), "description": data.get("description", ""), "source": data.get("source", "")}


def load_preset(name: str, **overrides: str) -> Stack:
    """The preset ``name``; ``overrides`` replace top-level fields (e.g. ``area="0.785 cm2"``)."""
    paths = preset_paths()
    key = _preset_key(name)
    if key not in paths:
        raise UnknownNameError("preset", name, paths)
    path = paths[key]
    data = parse_text(path.read_text(encoding="utf-8"), "toml", f"preset {key}")
    data.update(overrides)
    try:
        return Stack.from_dict(data)
    except InputError as err:
        raise err.located(f"preset {key}") from None


def _preset_key(spec: str) -> str:
    return spec.strip().lower().replace("_", "-").replace(" ", "-")


def shadowing(spec: str) -> str | None:
    """What :func:`resolve` does when ``spec`` names both a preset and an existing path (None if it does not):
    a file wins over the preset; a folder (e.g. an output folder named like the preset) is not a stack file,
    so the preset is used."""
    if _preset_key(spec) not in preset_paths():
        return None
    path = Path(spec)
    try:
        if path.is_dir():
            return f"{spec!r} is a folder here, not a stack file: using the preset {_preset_key(spec)!r}"
        if path.exists():
            return f"reading the file {spec!r}, not the preset {_preset_key(spec)!r} of the same name"
    except (OSError, ValueError):
        return None
    return None


def resolve(spec: str, **overrides: str) -> Stack:
    """A stack from a preset name or a file path. A path that exists wins over a preset of the same name,
    except a folder, which cannot be a stack file (see :func:`shadowing`, which the CLI prints)."""
    if not spec.strip():
        raise InputError(Problem("stack", "empty; give a stack file or a preset name (see `solidstack presets`)"))
    path = Path(spec)
    key = _preset_key(spec)
    is_dir = False
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except (OSError, ValueError):  # e.g. a name too long for the file system, or with a NUL
        exists = False
    if key in preset_paths() and (not exists or is_dir):
        return load_preset(spec, **overrides)
    if path.suffix.lower() in (".toml", ".yaml", ".yml", ".json") or exists:
        stack = Stack.from_file(path)
        if overrides:
            try:
                stack = stack.replace(**overrides)
            except InputError as err:
                raise err.located(str(path)) from None
        return stack
    unknown = UnknownNameError("preset", spec, preset_paths())
    if unknown.suggestions:
        raise unknown
    raise InputError(Problem(spec, "no such file, and not a preset name"))
