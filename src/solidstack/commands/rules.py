"""``solidstack screen`` and ``solidstack claims``: thin shells over :mod:`solidstack.rules`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from solidstack.errors import InputError, Problem

console = Console(emoji=False)
#: Screening tables have eleven columns: print them at least this wide even into a pipe or a narrow terminal.
MIN_TABLE_WIDTH = 132


def _console() -> Console:
    return Console(width=max(console.width, MIN_TABLE_WIDTH), emoji=False)

SCREEN_FORMATS = ("table", "csv", "json")
CLAIM_FORMATS = ("table", "markdown", "json")


def _choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    v = value.strip().lower()
    if v not in allowed:
        raise InputError(Problem(option, f"{value!r} is not one of {', '.join(allowed)}"))
    return v


def _write(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def screen_command(
    anode: Annotated[str | None, typer.Option("--anode", help="Anode active material (e.g. graphite, Li4Ti5O12).")] = None,
    cathode: Annotated[str | None, typer.Option("--cathode", help="Cathode active material (e.g. NMC111, LiCoO2).")] = None,
    ion: Annotated[str, typer.Option("--ion", help="Working ion: Li, Na or K.")] = "Li",
    role: Annotated[str, typer.Option("--role", help="ductile (the patent's metal layer, touching the electrode) or inert.")] = "ductile",
    window: Annotated[str | None, typer.Option("--window", help="Override the electrode's window: LO:HI or LO,HI in V vs M+/M.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    practical: Annotated[bool, typer.Option("--practical/--no-practical", help="Rank radioactive metals last and known "
                                            "hazards and scarce metals after the others (default on).")] = True,
) -> None:
    """Rank every metal as a layer next to an electrode: the patent's verdict and the physical one, with reasons,
    and a comparison with the patent's own example lists."""
    from solidstack.rules import screen
    from solidstack.rules.windows import parse_window

    fmt = _choice(fmt, SCREEN_FORMATS, "--format")
    role = _choice(role, ("ductile", "inert"), "--role")
    if (anode is None) == (cathode is None):
        raise InputError(Problem("", "give exactly one of --anode or --cathode"))
    side, name = ("anode", anode) if anode is not None else ("cathode", cathode)
    w = parse_window(window, "--window") if window else None
    result = screen(name, ion, role, side=side, window=w, practical=practical)  # type: ignore[arg-type]
    if fmt == "json":
        _write(result.to_json())
    elif fmt == "csv":
        _write(result.to_csv())
    else:
        _console().print(result)


def claims_command(
    stack: Annotated[str, typer.Argument(help="A stack file (.toml, .yaml, .json) or a preset name (see `solidstack presets`).")],
    fmt: Annotated[str, typer.Option("--format", help="table, markdown or json.")] = "table",
    basis: Annotated[str, typer.Option("--window-basis", help="Windows of the physical verdicts: practical, patent or cycling.")] = "practical",
    anode_window: Annotated[str | None, typer.Option("--anode-window", help="Override the anode window: LO:HI or LO,HI in V vs M+/M.")] = None,
    cathode_window: Annotated[str | None, typer.Option("--cathode-window", help="Override the cathode window: LO:HI or LO,HI in V vs M+/M.")] = None,
) -> None:
    """Claim chart: claims 2-13 (and the first aspect of [0015]) met / not met / undetermined, each limitation
    with the stack feature it matched and the evidence; in table format the metal layers' verdicts too."""
    from solidstack.cli import _load as resolve  # prints a note when a path shadows a preset
    from solidstack.rules import check
    from solidstack.rules.windows import BASES, parse_window

    fmt = _choice(fmt, CLAIM_FORMATS, "--format")
    basis = _choice(basis, BASES, "--window-basis")
    overrides = {}
    if anode_window:
        overrides["anode"] = parse_window(anode_window, "--anode-window")
    if cathode_window:
        overrides["cathode"] = parse_window(cathode_window, "--cathode-window")
    result = check(resolve(stack), window_basis=basis, windows=overrides)  # type: ignore[arg-type]
    if fmt == "json":
        import json

        _write(json.dumps([c.to_dict() for c in result.claims], indent=2))
    elif fmt == "markdown":
        _write(result.to_markdown())
    else:
        _console().print(result)


def register(app: typer.Typer) -> None:
    """Add ``screen`` and ``claims`` to the ``solidstack`` app."""
    app.command("screen")(screen_command)
    app.command("claims")(claims_command)
