"""The ``solidstack`` command line: a thin shell over the Python API.

Every command that takes a stack accepts a file path (.toml/.yaml/.json) or a preset name. Bad input prints
one line per problem on stderr and exits with code 2, without a traceback.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from solidstack.errors import InputError, Problem
from solidstack.report import console as make_console

app = typer.Typer(
    name="solidstack",
    help="Design and analyse all-solid-state battery stacks with ductile metal interlayers (US 2016/0233553 A1).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = make_console()
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

StackArg = Annotated[str, typer.Argument(help="A stack file (.toml, .yaml, .json) or a preset name (see `solidstack presets`).")]
AreaOpt = Annotated[str | None, typer.Option("--area", help='Override the cell area, e.g. "0.785 cm2".')]


def _version(value: bool) -> None:
    if value:
        from solidstack import __version__

        print(f"solidstack {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    materials: Annotated[list[str] | None, typer.Option(
        "--materials", metavar="FOLDER",
        help="A user materials folder (laid out like materials/data; repeatable), added to the knowledge base for "
             "this command (also: SOLIDSTACK_MATERIALS).")] = None,
) -> None:
    """Design and analyse all-solid-state battery stacks with ductile metal interlayers (US 2016/0233553 A1)."""
    from solidstack.materials import default_catalog, set_default_catalog

    if materials:
        cat = default_catalog()
        for folder in materials:
            cat = cat.with_user(folder)
        set_default_catalog(cat)


def _load(spec: str, area: str | None = None):
    from solidstack.errors import terminal_safe
    from solidstack.stack import resolve
    from solidstack.stack.presets import shadowing

    note = shadowing(spec)
    if note:
        err_console.print(f"note: {terminal_safe(note)}", markup=False, highlight=False)
    return resolve(spec, **({"area": area} if area else {}))


SHOW_FORMATS = ("table", "json", "markdown")


@app.command()
def show(stack: StackArg, area: AreaOpt = None,
         fmt: Annotated[str, typer.Option("--format", help="table, json or markdown.")] = "table") -> None:
    """Layer table (collector to collector), capacities, N/P ratio, totals and energy-density breakdown."""
    from solidstack.metrics import breakdown
    from solidstack.report.tables import breakdown_markdown, breakdown_record, stack_table

    kind = fmt.strip().lower()
    if kind not in SHOW_FORMATS:
        raise InputError(Problem("--format", f"{fmt!r} is not one of {', '.join(SHOW_FORMATS)}"))
    s = _load(stack, area)
    b = breakdown(s)
    if kind == "json":
        import json

        sys.stdout.write(json.dumps(breakdown_record(b, ion=s.working_ion, description=s.description), indent=2) + "\n")
    elif kind == "markdown":
        sys.stdout.write(breakdown_markdown(b, ion=s.working_ion, description=s.description))
    else:
        console.print(stack_table(b, ion=s.working_ion, description=s.description))


@app.command()
def validate(stack: StackArg) -> None:
    """Check a stack file: exit 0 with a summary, or one line per problem and exit 2."""
    s = _load(stack)
    layers = " / ".join(
        la.material if la.type in ("collector", "primer", "metal") else (la.electrolyte if la.type == "separator" else la.active.material)
        for la in s.layers
    )
    console.print(f"ok: {s.name}: {layers}; {len(s.layers)} layers, {s.working_ion}+, "
                  f"N/P {s.np_ratio:.2f}, {s.nominal_energy_mWh:.3f} mWh nominal", markup=False)


@app.command()
def presets() -> None:
    """List the stacks shipped with solidstack (the patent's figures and examples)."""
    from solidstack.stack.presets import preset_names, preset_summary

    t = Table(title="presets", title_justify="left")
    for c in ("preset", "name", "description", "source"):
        t.add_column(c)
    for name in preset_names():
        info = preset_summary(name)
        t.add_row(info["preset"], info["name"], info["description"], info["source"])
    console.print(t)


@app.command()
def materials(
    kind: Annotated[str | None, typer.Argument(help="metals, reactions, actives, electrolytes, collectors, additives, coatings or binders.")] = None,
    name: Annotated[str | None, typer.Argument(help="An entry to show in full, with its sources.")] = None,
    ion: Annotated[str, typer.Option("--ion", help="Working ion for reactions and actives: Li, Na or K.")] = "Li",
) -> None:
    """List the knowledge base, or show one entry with its sources."""
    from solidstack.errors import UnknownNameError
    from solidstack.materials import KINDS, default_catalog
    from solidstack.report.tables import entry_table, listing_table

    catalog = default_catalog()

    if kind is None:
        t = Table(title="kinds of entry", title_justify="left")
        t.add_column("kind")
        t.add_column("entries", justify="right")
        counts = {
            "metals": len(catalog.metals()), "reactions": len(catalog.all_reactions()), "actives": len(catalog.actives()),
            "electrolytes": len(catalog.electrolytes()),
        }
        for k in KINDS:
            t.add_row(k, str(counts.get(k, len(catalog.auxiliaries(k.removesuffix("s"))))))
        console.print(t)
        return
    kind_l = kind.lower()
    if kind_l not in KINDS:
        raise UnknownNameError("kind", kind, KINDS)
    if name is None:
        console.print(listing_table(kind_l, catalog))
        return
    record = {
        "metals": lambda: catalog.metal(name),
        "reactions": lambda: catalog.reactions(name, ion),
        "actives": lambda: catalog.active(name, ion if ion != "Li" else None),
        "electrolytes": lambda: catalog.electrolyte(name),
    }.get(kind_l, lambda: catalog.auxiliary(name, kind_l.removesuffix("s")))()
    console.print(entry_table(record))
    if kind_l == "actives":
        from solidstack.sim.hosts import simulation_gaps

        for gap in simulation_gaps(record, catalog):  # type: ignore[arg-type]
            console.print(f"simulation data gap: {gap}", markup=False, highlight=False)
    if kind_l == "metals":
        from solidstack.sim.hosts import transport_gaps

        sym = catalog.metal(name).symbol
        for ion_ in ("Li", "Na", "K"):
            if catalog.reactions(sym, ion_).status in ("yes", "working"):
                for gap in transport_gaps(catalog, f"foil.{sym}.{ion_}", f"{sym} foil ({ion_})", foil=True):
                    console.print(f"simulation data gap: {gap}", markup=False, highlight=False)
    if kind_l == "metals":
        for ion_ in ("Li", "Na", "K"):
            ox = catalog.oxidation(name, ion_)
            if ox is not None:
                console.print(f"oxidation indicator vs {ion_}+/{ion_}: {ox.potential_V:.2f} V ({ox.basis})", markup=False)


def _register_command_modules() -> None:
    import importlib
    import pkgutil

    import solidstack.commands as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        importlib.import_module(f"solidstack.commands.{info.name}").register(app)


_register_command_modules()


#: Exit codes of the ``solidstack`` command (see the README, "Exit codes").
EXIT_OK, EXIT_SOLVER, EXIT_INPUT, EXIT_SIGINT, EXIT_SIGTERM = 0, 1, 2, 130, 143


def _click_exception_types() -> tuple[tuple[type, ...], tuple[type, ...], tuple[type, ...]]:
    """(ClickException, Abort, NoArgsIsHelpError) classes of every Click in use: Typer >= 0.26 vendors its own
    copy as ``typer._click``; older Typers use the ``click`` package. Both are caught, whichever is installed."""
    errors: list[type] = []
    aborts: list[type] = [typer.Abort]
    no_args: list[type] = []
    for name in ("typer._click", "click"):
        try:
            mod = __import__(f"{name}.exceptions", fromlist=["ClickException"])
        except ImportError:
            continue
        for found, attr in ((errors, "ClickException"), (aborts, "Abort"), (no_args, "NoArgsIsHelpError")):
            if isinstance(getattr(mod, attr, None), type):
                found.append(getattr(mod, attr))
    return tuple(errors), tuple(aborts), tuple(no_args)


def _one_line(text: str) -> str:
    from solidstack.errors import terminal_safe

    return " ".join(terminal_safe(text).split())


class _Terminated(BaseException):
    """SIGTERM, raised where the program is, so that ``finally`` blocks (temporary files) run before exit 143."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app and exit with 0 (success), 1 (solver failure, finished cycles written),
    2 (bad input or usage: one line ``error: ...`` per problem, no traceback) or 130/143 (interrupted)."""
    import signal

    click_errors, click_aborts, no_args_help = _click_exception_types()
    signal.signal(signal.SIGTERM, _on_sigterm)  # `simulate` replaces it while it runs (stops at a step boundary)
    try:
        rc = app(args=argv, standalone_mode=False)
    except InputError as err:
        for p in err.problems:
            err_console.print(f"error: {_one_line(str(p))}", markup=False, highlight=False)
        sys.exit(EXIT_INPUT)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted (SIGINT)", markup=False)
        sys.exit(EXIT_SIGINT)
    except _Terminated:
        err_console.print("interrupted (SIGTERM)", markup=False)
        sys.exit(EXIT_SIGTERM)
    except Exception as err:
        if no_args_help and isinstance(err, no_args_help):
            ctx = getattr(err, "ctx", None)
            if ctx is not None:
                print(ctx.get_help())
            sys.exit(EXIT_INPUT)
        if isinstance(err, click_aborts):
            err_console.print("interrupted", markup=False)
            sys.exit(EXIT_SIGINT)
        if isinstance(err, click_errors):
            message = err.format_message() if hasattr(err, "format_message") else str(err)
            ctx = getattr(err, "ctx", None)
            hint = f" (see `{ctx.command_path} --help`)" if ctx is not None and getattr(err, "exit_code", 2) == 2 else ""
            err_console.print(f"error: {_one_line(message)}{hint}", markup=False, highlight=False)
            code = getattr(err, "exit_code", 2)
            sys.exit(EXIT_INPUT if code in (2, None) else code)
        raise
    sys.exit(rc if isinstance(rc, int) else EXIT_OK)


if __name__ == "__main__":
    main()
