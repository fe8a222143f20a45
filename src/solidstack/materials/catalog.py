"""Loading the knowledge base from ``data/`` and looking records up by name.

``Catalog`` reads every data file once, checks that each value has a source that resolves, and answers
look-ups such as ``catalog.metal("In")``, ``catalog.reactions("In", ion="Li")`` or
``catalog.active("graphite").window``. An unknown name raises :class:`~solidstack.errors.UnknownNameError`
listing the closest known names.

User materials: a folder laid out like ``data/`` (any of ``metals.csv``, ``reactions.csv``, ``actives.csv``,
``electrolytes.csv``, ``auxiliaries.csv``, ``transport.toml``, ``ocp/*.csv``, ``references/*.toml``) is added on
top of the shipped files by ``catalog.with_user(folder)`` (a new catalog), by the ``SOLIDSTACK_MATERIALS``
environment variable (folders separated by ``os.pathsep``) and by ``solidstack --materials FOLDER``. The same
source rule holds; a user row may replace a shipped entry only with ``override = true`` (an ``override``
column, or key in ``transport.toml``). A defect in a user file is an :class:`~solidstack.errors.InputError`
(one located line); a defect in the shipped files is a :class:`DataError` (a bug).
"""

from __future__ import annotations

import csv
import os
import tomllib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cached_property
from importlib import resources
from pathlib import Path

from solidstack.errors import InputError, Problem, SolidstackError, UnknownNameError
from solidstack.materials.records import (
    IONS,
    ActiveMaterial,
    Auxiliary,
    Electrolyte,
    Metal,
    MetalIonReactions,
    OcpCurve,
    OxidationIndicator,
    Passivation,
    Practicality,
    ReactionStep,
    Reference,
    Sources,
    Transport,
    Window,
)

#: Kinds of entry, as used by ``solidstack materials KIND``.
KINDS = ("metals", "reactions", "actives", "electrolytes", "collectors", "additives", "coatings", "binders")


class DataError(SolidstackError):
    """A defect in the shipped data files (a missing source, a bad number): a bug, not a user error."""


#: Environment variable naming user materials folders (separated by os.pathsep), added to the default catalog.
ENV_VAR = "SOLIDSTACK_MATERIALS"

#: Files a data folder (shipped or user) may hold; ``ocp/`` and ``references/`` are folders.
DATA_FILES = ("metals.csv", "reactions.csv", "actives.csv", "electrolytes.csv", "auxiliaries.csv", "oxidation.csv",
              "transport.toml")

#: Columns a user CSV must have (the shipped files have them all).
REQUIRED_COLUMNS = {
    "metals.csv": ("symbol", "name", "molar_mass_g_mol"),
    "reactions.csv": ("host", "ion", "reacts_at_rt"),
    "actives.csv": ("key", "name", "ion", "role", "window_lo_V", "window_hi_V"),
    "electrolytes.csv": ("key", "name", "ion"),
    "auxiliaries.csv": ("key", "name", "kind"),
    "oxidation.csv": ("symbol", "E0_vs_SHE_V"),
}

#: The reference key that marks a value as a placeholder (no sourced value; reported as a data gap).
PLACEHOLDER_KEY = "placeholder"


class UserDataError(InputError):
    """A defect in a user materials file (located one-line problem; exit code 2 on the command line)."""


def default_data_dir() -> Path:
    return Path(str(resources.files("solidstack.materials") / "data"))


def _truthy(text: object) -> bool:
    return str(text or "").strip().lower() in ("true", "yes", "1")


def safe_stem(key: str) -> str:
    """``key`` with everything but letters, digits and ``_`` removed (``Na3V2(PO4)3`` -> ``Na3V2PO43``)."""
    return "".join(ch for ch in key if ch.isalnum() or ch == "_")


def _f(row: dict[str, str], col: str, where: str) -> float | None:
    text = (row.get(col) or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise DataError(f"{where}: column {col!r} holds {text!r}, not a number") from None


def _aliases(text: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in (text or "").split(";") if a.strip())


class Catalog:
    """The materials knowledge base, loaded from a data directory (the package's own by default) plus any user
    materials folders (``user``, applied in order on top of it; see the module docstring)."""

    def __init__(self, data_dir: Path | str | None = None, user: Iterable[Path | str] = ()):
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.user_dirs: tuple[Path, ...] = tuple(Path(p) for p in user)

    def with_user(self, path: Path | str) -> Catalog:
        """A new catalog: this one with the user materials folder ``path`` added on top (checked now: a defect
        in the folder raises :class:`UserDataError`)."""
        new = Catalog(self.data_dir, (*self.user_dirs, Path(path)))
        new.load_all()
        return new

    def _check_folder(self, folder: Path) -> None:
        where = f"{self.__dict__['_named_by']}: {folder}" if "_named_by" in self.__dict__ else str(folder)
        if not folder.is_dir():
            if folder.is_file():
                raise UserDataError(Problem(where, "a user materials source is a folder laid out like the shipped "
                                                   "materials/data (metals.csv, actives.csv, ocp/, references/ ...), "
                                                   "not a single file: give its folder"))
            raise UserDataError(Problem(where, "user materials folder not found"))
        known = [p.name for p in folder.iterdir()]
        if not any(n in DATA_FILES or n in ("ocp", "references") for n in known):
            raise UserDataError(Problem(where, f"no materials file in this folder (expected any of "
                                               f"{', '.join(DATA_FILES)}, ocp/, references/)"))

    def __repr__(self) -> str:
        return f"Catalog({str(self.data_dir)!r}, user={[str(p) for p in self.user_dirs]!r})"

    # ---------------------------------------------------------------- loading
    @property
    def _dirs(self) -> tuple[Path, ...]:
        if not self.__dict__.get("_folders_checked"):
            for folder in self.user_dirs:
                self._check_folder(folder)
            self.__dict__["_folders_checked"] = True
        return (self.data_dir, *self.user_dirs)

    def _is_user(self, origin: Path) -> bool:
        return origin != self.data_dir

    def _defect(self, origin: Path, where: str, what: str) -> Exception:
        """A data defect in a file of ``origin``: a user error in a user folder, a bug in the shipped data."""
        if self._is_user(origin):
            return UserDataError(Problem(f"{origin / where}", what))
        return DataError(f"{where}: {what}")

    def _rows_from(self, name: str) -> Iterator[tuple[Path, dict[str, str]]]:
        """(origin folder, row) of ``name`` in the shipped folder, then in each user folder that has it."""
        for origin in self._dirs:
            path = origin / name
            if not path.is_file():
                if origin == self.data_dir and name != "transport.toml":
                    raise DataError(f"{name}: missing from the shipped data")
                continue
            with path.open(newline="", encoding="utf-8") as fh:
                reader = csv.DictReader(fh)
                need = [c for c in REQUIRED_COLUMNS.get(name, ()) if c not in (reader.fieldnames or [])]
                if need:
                    raise self._defect(origin, name, f"missing column(s) {', '.join(need)} (see the shipped "
                                                      f"materials/data/{name} and SCHEMA.md)")
                for row in reader:
                    yield origin, {k: (v or "") for k, v in row.items() if k is not None}

    def _rows(self, name: str) -> list[dict[str, str]]:
        return [row for _, row in self._rows_from(name)]

    def _merge(self, out: dict, key, value, origin: Path, row: dict[str, str], where: str, what: str) -> None:
        """Put ``value`` under ``key``; a user row replaces a shipped entry only with ``override = true``."""
        if key in out and self._is_user(origin):
            if not _truthy(row.get("override")):
                raise self._defect(origin, where, f"{what} is already in the knowledge base; add a column "
                                                  "'override' set to true in this row to replace it")
        elif key in out:
            raise DataError(f"{where}: {what} is defined twice")
        out[key] = value

    @cached_property
    def references(self) -> dict[str, Reference]:
        refs: dict[str, Reference] = {}
        for origin in self._dirs:
            for path in sorted((origin / "references").glob("*.toml")):
                try:
                    data = tomllib.loads(path.read_text(encoding="utf-8"))
                except tomllib.TOMLDecodeError as err:
                    raise self._defect(origin, f"references/{path.name}", f"not valid TOML ({err})") from None
                for key, entry in data.items():
                    where = f"references/{path.name}"
                    if key in refs:
                        raise self._defect(origin, where, f"reference key {key!r} is defined twice")
                    if not isinstance(entry, dict) or not str(entry.get("citation", "")).strip():
                        raise self._defect(origin, where, f"reference {key!r} needs a 'citation'")
                    refs[key] = Reference(key, entry["citation"], entry.get("url", ""), entry.get("note", ""))
        return refs

    def _sources(self, row: dict[str, str], groups: dict[str, tuple[str, ...]], where: str,
                 origin: Path | None = None) -> Sources:
        """Resolve each ``*_source`` column; a value present with no source is a data defect."""
        origin = origin or self.data_dir
        out: Sources = {}
        for group, (source_col, *value_cols) in groups.items():
            keys = _aliases(row.get(source_col, ""))
            has_value = any((row.get(c) or "").strip() for c in value_cols)
            if has_value and not keys:
                raise self._defect(origin, where, f"values {value_cols} have no source in {source_col!r} (every "
                                                  "value needs a reference key defined in references/*.toml)")
            missing = [k for k in keys if k not in self.references]
            if missing:
                raise self._defect(origin, where, f"unknown reference key(s) {missing} in {source_col!r}")
            if keys:
                out[group] = tuple(self.references[k] for k in keys)
        return out

    @cached_property
    def _metals(self) -> dict[str, Metal]:
        metals: dict[str, Metal] = {}
        for origin, row in self._rows_from("metals.csv"):
            where = f"metals.csv row {row['symbol']}"
            f = self._number_reader(origin)
            sources = self._sources(
                row,
                {
                    "elongation": ("elongation_source", "elongation_pct", "elongation_max_pct"),
                    "hardness": ("hardness_source", "brinell_MPa", "vickers_MPa"),
                    "properties": (
                        "properties_source",
                        "youngs_modulus_GPa",
                        "density_g_cm3",
                        "molar_mass_g_mol",
                        "molar_volume_cm3_mol",
                        "resistivity_ohm_m",
                    ),
                },
                where,
                origin,
            )
            molar_mass = f(row, "molar_mass_g_mol", where)
            if molar_mass is None:
                raise self._defect(origin, where, "molar_mass_g_mol is required")
            self._merge(metals, row["symbol"], Metal(
                symbol=row["symbol"],
                name=row["name"],
                elongation_pct=f(row, "elongation_pct", where),
                elongation_max_pct=f(row, "elongation_max_pct", where),
                elongation_condition=row.get("elongation_condition", ""),
                elongation_status=row.get("elongation_status", ""),
                brinell_MPa=f(row, "brinell_MPa", where),
                vickers_MPa=f(row, "vickers_MPa", where),
                youngs_modulus_GPa=f(row, "youngs_modulus_GPa", where),
                density_g_cm3=f(row, "density_g_cm3", where),
                molar_mass_g_mol=molar_mass,
                molar_volume_cm3_mol=f(row, "molar_volume_cm3_mol", where),
                resistivity_ohm_m=f(row, "resistivity_ohm_m", where),
                notes=row.get("notes", ""),
                sources=sources,
            ), origin, row, where, f"metal {row['symbol']}")
        return metals

    @cached_property
    def _reactions(self) -> dict[tuple[str, str], MetalIonReactions]:
        grouped: dict[tuple[str, str], list[tuple[str, ReactionStep]]] = {}
        group_origin: dict[tuple[str, str], Path] = {}
        line: dict[Path, int] = {}
        for origin, row in self._rows_from("reactions.csv"):
            line[origin] = line.get(origin, 1) + 1
            where = f"reactions.csv line {line[origin]} ({row['host']}-{row['ion']})"
            f = self._number_reader(origin)
            host = row["host"]
            if host not in self._metals:
                raise self._defect(origin, where, f"host {host!r} is not in metals.csv")
            if row["ion"] not in IONS:
                raise self._defect(origin, where, f"ion {row['ion']!r} is not one of {IONS}")
            gkey = (host, row["ion"])
            if gkey in group_origin and group_origin[gkey] != origin:
                # a user folder's rows for a shipped host-ion pair replace that pair's rows, with override only
                if not _truthy(row.get("override")):
                    raise self._defect(origin, where, f"{host}-{row['ion']} is already in the knowledge base; add a "
                                                      "column 'override' set to true in its rows to replace it")
                grouped.pop(gkey, None)
            group_origin[gkey] = origin
            sources = self._sources(
                row,
                {
                    "potential": ("potential_source", "E_equilibrium_V", "E_insertion_V", "E_extraction_V"),
                    "volume": ("volume_source", "volume_change_pct"),
                },
                where,
                origin,
            )
            step = ReactionStep(
                step=int(row.get("step") or 0),
                from_phase=row.get("from_phase", ""),
                to_phase=row.get("to_phase", ""),
                x_from=f(row, "x_from", where),
                x_to=f(row, "x_to", where),
                E_equilibrium_V=f(row, "E_equilibrium_V", where),
                E_insertion_V=f(row, "E_insertion_V", where),
                E_extraction_V=f(row, "E_extraction_V", where),
                volume_change_pct=f(row, "volume_change_pct", where),
                confidence=row.get("confidence", ""),
                notes=row.get("notes", ""),
                molar_mass_g_mol=self._metals[host].molar_mass_g_mol,
                sources=sources,
            )
            grouped.setdefault((host, row["ion"]), []).append((row["reacts_at_rt"].strip(), step))
        out = {}
        for (host, ion), items in grouped.items():
            statuses = {s for s, _ in items}
            if len(statuses) != 1:
                raise DataError(f"reactions.csv: {host}-{ion} rows disagree on reacts_at_rt: {statuses}")
            steps = tuple(sorted((st for _, st in items if st.step > 0), key=lambda s: s.step))
            # a step-0 row carries the evidence for "does not react" (e.g. a phase diagram without compounds)
            status_rows = [st for _, st in items if st.step == 0]
            notes = "; ".join(st.notes for st in status_rows if st.notes)
            sources = {"status": tuple(r for st in status_rows for refs in st.sources.values() for r in refs)}
            out[(host, ion)] = MetalIonReactions(host, ion, statuses.pop(), steps, notes, sources if sources["status"] else {})
        return out

    @cached_property
    def _oxidation(self) -> dict[str, dict[str, str]]:
        return {row["symbol"]: row for row in self._rows("oxidation.csv")}  # a user row replaces a shipped one

    @cached_property
    def _practicality(self) -> dict[str, Practicality]:
        out = {}
        for row in self._rows("practicality.csv"):
            sym, where = row["symbol"], f"practicality.csv row {row['symbol']}"
            if sym not in self._metals:
                raise DataError(f"{where}: {sym!r} is not in metals.csv")
            sources = self._sources(row, {"radioactivity": ("radioactivity_source", "radioactive", "half_life_y"),
                                          "hazard": ("hazard_source", "hazard_class", "hazard"),
                                          "abundance": ("abundance_source", "crustal_abundance_mg_kg")}, where)
            out[sym] = Practicality(sym, row["radioactive"].strip() == "yes", _f(row, "half_life_y", where),
                                    row.get("hazard_class", ""), row.get("hazard", ""),
                                    _f(row, "crustal_abundance_mg_kg", where), row.get("notes", ""), sources)
        return out

    @cached_property
    def _passivation(self) -> dict[tuple[str, str], Passivation]:
        out = {}
        for row in self._rows("passivation.csv"):
            where = f"passivation.csv row {row['symbol']}-{row['ion']}"
            hi = _f(row, "hi_V", where)
            if row["symbol"] not in self._metals or row["ion"] not in IONS or hi is None:
                raise DataError(f"{where}: needs a metal of metals.csv, an ion of {IONS} and hi_V")
            sources = self._sources(row, {"passivation": ("potential_source", "hi_V")}, where)
            out[(row["symbol"], row["ion"])] = Passivation(row["symbol"], row["ion"], row["film"], row["electrolytes"], hi,
                                                           row.get("not_with", ""), row.get("notes", ""), sources)
        return out

    def practicality(self, metal: str) -> Practicality | None:
        """Radioactivity, health hazard and crustal abundance of ``metal`` (None if not in the data)."""
        return self._practicality.get(self.metal(metal).symbol)

    def passivation(self, metal: str, ion: str = "Li") -> Passivation | None:
        """The protective film of ``metal`` next to working ion ``ion`` and its range (None if none is known)."""
        return self._passivation.get((self.metal(metal).symbol, self._check_ion(ion)))

    def _ocp_path(self, name: str) -> tuple[Path, Path] | None:
        """(origin, path) of OCP table ``name``: a user folder's own first (last added wins), then the shipped one."""
        for origin in reversed(self._dirs):
            path = origin / "ocp" / name
            if path.is_file():
                return origin, path
        return None

    def ocp_table(self, name: str) -> OcpCurve:
        """The OCP table ``ocp/<name>`` (``x,U_V`` rows, ``#`` header lines), checked: rows sorted by x, and a
        ``# source_key:`` line whose keys resolve. The one reader of OCP tables."""
        cache = self.__dict__.setdefault("_ocp_cache", {})
        if name not in cache:
            found = self._ocp_path(name)
            if found is None:
                origin = self.user_dirs[-1] if self.user_dirs else self.data_dir
                raise self._defect(origin, f"ocp/{name}", "OCP file not found (put it in the ocp/ folder)")
            cache[name] = self._read_ocp(name, *found)
        return cache[name]

    def _read_ocp(self, name: str, origin: Path, path: Path) -> OcpCurve:
        where = f"ocp/{name}"
        xs: list[float] = []
        us: list[float] = []
        header: list[str] = []
        keys: list[str] = []
        lines = path.read_text(encoding="utf-8").splitlines()
        if not lines or [c.strip() for c in lines[0].split(",")[:2]] != ["x", "U_V"]:
            raise self._defect(origin, where, "the first line must be the header 'x,U_V' (columns: x = the "
                                              "stoichiometry as defined in a '# x:' line, U_V = potential in V vs "
                                              "the working-ion metal)")
        for n, line in enumerate(lines[1:], start=2):
            if line.startswith("#"):
                header.append(line[1:].strip())
                if line[1:].strip().startswith("source_key:"):
                    keys.extend(_aliases(line.split(":", 1)[1].replace(",", ";")))
            elif line.strip():
                try:
                    x, u = (float(v) for v in line.split(",")[:2])
                except ValueError:
                    raise self._defect(origin, where, f"line {n}: expected two numbers x,U_V, got {line!r}") from None
                xs.append(x)
                us.append(u)
        missing = [k for k in keys if k not in self.references]
        if not keys or missing:
            what = (f"unknown reference key(s) {missing} in its '# source_key:' line" if keys else
                    "needs a '# source_key: KEY' line naming its source (a key of references/*.toml)")
            raise self._defect(origin, where, what)
        if len(xs) < 2 or any(b <= a for a, b in zip(xs, xs[1:], strict=False)):
            raise self._defect(origin, where, "needs at least two rows, sorted by strictly increasing x")
        return OcpCurve(name, tuple(xs), tuple(us), "\n".join(header), {"ocp": tuple(self.references[k] for k in keys)})

    @cached_property
    def _actives(self) -> list[ActiveMaterial]:
        found: dict[tuple[str, str], ActiveMaterial] = {}
        rows = list(self._rows_from("actives.csv"))
        # a table named after one row (ocp/<key>_<ion>.csv) but used by another row is the first's curve used as an
        # ANALOGUE for the second (e.g. NMC90 on NMC811's curve): that row's runs report it as a data gap
        owner = {f"{safe_stem(r['key'])}_{r['ion']}.csv": f"{r['key']} ({r['ion']})" for _, r in rows}
        for origin, row in rows:
            where = f"actives.csv row {row['key']}/{row['ion']}"
            f = self._number_reader(origin)
            if row["ion"] not in IONS:
                raise self._defect(origin, where, f"ion {row['ion']!r} is not one of {IONS}")
            sources = self._sources(
                row,
                {
                    "potential": ("potential_source", "window_lo_V", "window_hi_V", "average_V"),
                    "capacity": ("capacity_source", "practical_capacity_mAh_g", "theoretical_capacity_mAh_g"),
                    "density": ("density_source", "density_g_cm3"),
                    "volume": ("volume_source", "volume_change_pct"),
                    "patent_window": ("patent_window_source", "patent_window_lo_V", "patent_window_hi_V"),
                },
                where,
                origin,
            )
            lo, hi = f(row, "window_lo_V", where), f(row, "window_hi_V", where)
            if lo is None or hi is None:
                raise self._defect(origin, where, "window_lo_V and window_hi_V are required")
            plo, phi = f(row, "patent_window_lo_V", where), f(row, "patent_window_hi_V", where)
            ocp_name = (row.get("ocp_file") or "").strip()
            ocp_note = ""
            if not ocp_name and self._ocp_path(f"{safe_stem(row['key'])}_{row['ion']}.csv") is not None:
                # documented convention (SCHEMA.md): an empty ocp_file uses ocp/<key>_<ion>.csv when it exists
                ocp_name = f"{safe_stem(row['key'])}_{row['ion']}.csv"
                ocp_note = f"OCP table found by name (ocp/{ocp_name}; the ocp_file column is empty)"
            own = f"{safe_stem(row['key'])}_{row['ion']}.csv"
            if ocp_name and ocp_name != own and ocp_name in owner:
                ocp_note = (f"OCP is {owner[ocp_name]}'s curve (ocp/{ocp_name}) used as an ANALOGUE: no "
                            f"{row['key']} curve in the knowledge base (actives.csv notes)")
            ocp = self.ocp_table(ocp_name) if ocp_name else None
            extension = None
            if ocp is not None:
                sources["ocp"] = ocp.sources["ocp"]
                ext_name = ocp_name.removesuffix(".csv") + "_extension.csv"
                if self._ocp_path(ext_name) is not None:
                    extension = self.ocp_table(ext_name)
                    sources["ocp extension"] = extension.sources["ocp"]
            self._merge(found, (row["key"], row["ion"]),
                ActiveMaterial(
                    key=row["key"],
                    name=row["name"],
                    formula=row.get("formula", ""),
                    aliases=_aliases(row.get("aliases", "")),
                    ion=row["ion"],
                    role=row["role"],
                    window=Window(lo, hi),
                    average_V=f(row, "average_V", where),
                    practical_capacity_mAh_g=f(row, "practical_capacity_mAh_g", where),
                    theoretical_capacity_mAh_g=f(row, "theoretical_capacity_mAh_g", where),
                    density_g_cm3=f(row, "density_g_cm3", where),
                    volume_change_pct=f(row, "volume_change_pct", where),
                    patent_window=Window(plo, phi) if plo is not None and phi is not None else None,
                    ocp=ocp,
                    notes=row.get("notes", ""),
                    sources=sources,
                    ocp_extension=extension,
                    ocp_note=ocp_note,
                ), origin, row, where, f"active material {row['key']} ({row['ion']})")
        return list(found.values())

    @cached_property
    def _electrolytes(self) -> dict[str, Electrolyte]:
        out: dict[str, Electrolyte] = {}
        for origin, row in self._rows_from("electrolytes.csv"):
            where = f"electrolytes.csv row {row['key']}"
            f = self._number_reader(origin)
            sources = self._sources(
                row,
                {
                    "conductivity": ("conductivity_source", "conductivity_S_cm", "conductivity_T_K"),
                    "activation": ("activation_source", "activation_energy_eV"),
                    "window": ("window_source", "window_lo_V", "window_hi_V"),
                    "density": ("density_source", "density_g_cm3"),
                },
                where,
                origin,
            )
            lo, hi = f(row, "window_lo_V", where), f(row, "window_hi_V", where)
            t_ref = f(row, "conductivity_T_K", where)
            ea = f(row, "activation_energy_eV", where)
            if t_ref is not None and not 150.0 <= t_ref <= 600.0:
                raise self._defect(origin, where, f"conductivity_T_K = {t_ref:g} K is not a temperature in K (150-600)")
            if ea is not None and not 0.0 <= ea <= 2.0:
                raise self._defect(origin, where, f"activation_energy_eV = {ea:g} is outside 0-2 eV")
            self._merge(out, row["key"], Electrolyte(
                key=row["key"],
                name=row["name"],
                aliases=_aliases(row.get("aliases", "")),
                ion=row["ion"],
                electrolyte_class=row.get("class", ""),
                conductivity_S_cm=f(row, "conductivity_S_cm", where),
                window=Window(lo, hi) if lo is not None and hi is not None else None,
                window_kind=row.get("window_kind", ""),
                density_g_cm3=f(row, "density_g_cm3", where),
                notes=row.get("notes", ""),
                sources=sources,
                conductivity_T_K=t_ref if t_ref is not None else 298.15,
                activation_energy_eV=ea,
            ), origin, row, where, f"solid electrolyte {row['key']}")
        return out

    @cached_property
    def _auxiliaries(self) -> dict[str, Auxiliary]:
        out: dict[str, Auxiliary] = {}
        for origin, row in self._rows_from("auxiliaries.csv"):
            where = f"auxiliaries.csv row {row['key']}"
            f = self._number_reader(origin)
            sources = self._sources(
                row,
                {
                    "density": ("density_source", "density_g_cm3"),
                    "resistivity": ("resistivity_source", "resistivity_ohm_m"),
                },
                where,
                origin,
            )
            self._merge(out, row["key"], Auxiliary(
                key=row["key"],
                name=row["name"],
                aliases=_aliases(row.get("aliases", "")),
                kind=row["kind"],
                density_g_cm3=f(row, "density_g_cm3", where),
                resistivity_ohm_m=f(row, "resistivity_ohm_m", where),
                notes=row.get("notes", ""),
                sources=sources,
            ), origin, row, where, f"{row['kind']} {row['key']}")
        return out

    def _number_reader(self, origin: Path) -> Callable[[dict[str, str], str, str], float | None]:
        """``_f`` whose defects are located in ``origin`` (a user error there, a bug in the shipped data)."""
        def f(row: dict[str, str], col: str, where: str) -> float | None:
            try:
                return _f(row, col, where)
            except DataError as err:
                raise self._defect(origin, where, str(err).split(": ", 1)[1]) from None
        return f

    @cached_property
    def _transport(self) -> dict[str, Transport]:
        """The entries of ``transport.toml`` (shipped, then user folders), each with resolved ``sources``."""
        out: dict[str, Transport] = {}
        for origin in self._dirs:
            path = origin / "transport.toml"
            if not path.is_file():
                continue
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as err:
                raise self._defect(origin, "transport.toml", f"not valid TOML ({err})") from None
            for key, entry in data.items():
                where = f"transport.toml [{key}]"
                if not isinstance(entry, dict):
                    raise self._defect(origin, where, "each entry is a table of values")
                keys = entry.get("sources")
                if not keys or not isinstance(keys, list):
                    raise self._defect(origin, where, "needs sources = [KEY, ...] (reference keys of "
                                                      "references/*.toml; 'placeholder' for placeholder values)")
                missing = [k for k in keys if k not in self.references]
                if missing:
                    raise self._defect(origin, where, f"unknown reference key(s) {missing} in sources")
                values = {k: float(v) for k, v in entry.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
                placeholders = tuple(entry.get("placeholders", ()))
                if PLACEHOLDER_KEY in keys and not placeholders:
                    # only placeholders: every value; placeholders among sourced values: its basis says which
                    placeholders = tuple(values) if keys == [PLACEHOLDER_KEY] else ("some values (see its basis)",)
                unknown = [p for p in placeholders if p not in values and not p.startswith("some values")]
                if unknown:
                    raise self._defect(origin, where, f"placeholders {unknown} are not values of this entry")
                rec = Transport(key, values, str(entry.get("basis", "")), tuple(self.references[k] for k in keys),
                                placeholders)
                self._merge(out, key, rec, origin, {"override": str(entry.get("override", ""))}, where,
                            f"transport entry {key}")
        for need in ("defaults", "foil_defaults"):
            if need not in out:
                raise DataError(f"transport.toml: the [{need}] entry is missing")
        return out

    def transport_entries(self) -> dict[str, Transport]:
        """Every entry of ``transport.toml`` (shipped and user folders) by key, as read (no defaults filled in)."""
        return dict(self._transport)

    def transport(self, key: str, foil: bool = False) -> Transport:
        """Transport/kinetic constants of a host (``"graphite.Li"``, ``"foil.In.Li"``): its own entry over the
        ``[defaults]`` (``[foil_defaults]`` for foils); ``.is_default`` when it has no own entry (a data gap)."""
        table = self._transport
        base = table["foil_defaults" if foil else "defaults"]
        own = table.get(key)
        if own is None:
            return Transport(key, dict(base.values), base.basis, base.sources, tuple(base.values), is_default=True)
        values = {**base.values, **own.values}
        inherited = tuple(k for k in base.values if k not in own.values)
        return Transport(key, values, own.basis, own.sources, own.placeholders + inherited)

    def load_all(self) -> None:
        """Load and check every file now (the loaders are otherwise lazy)."""
        self._metals, self._reactions, self._actives, self._electrolytes, self._auxiliaries, self._transport  # noqa: B018
        self._practicality, self._passivation  # noqa: B018
        for symbol in self._oxidation:
            for ion in IONS:
                if symbol not in IONS:
                    self.oxidation(symbol, ion)

    # ---------------------------------------------------------------- look-ups
    _index_cache: dict[str, dict[str, str]]

    def _match(self, kind: str, name: str, entries: Callable[[], Iterable[tuple[str, tuple[str, ...]]]]) -> str:
        """The key whose name or alias is ``name`` (case-insensitive), via a per-kind index built once."""
        cache = self.__dict__.setdefault("_index_cache", {})
        index = cache.get(kind)
        if index is None:
            index = {}
            for key, aliases in entries():
                for alias in (*aliases, key):
                    index[alias.strip().lower()] = key
            cache[kind] = index
        key = index.get(name.strip().lower()) if isinstance(name, str) else None
        if key is None:
            raise UnknownNameError(kind, str(name), sorted(set(index.values())))
        return key

    def metal(self, symbol: str) -> Metal:
        """The metal with element ``symbol`` (case-insensitive; the English name works too)."""
        key = self._match("metal", symbol, lambda: ((m.symbol, (m.name,)) for m in self._metals.values()))
        return self._metals[key]

    def metals(self) -> list[Metal]:
        return list(self._metals.values())

    def reactions(self, metal: str, ion: str = "Li") -> MetalIonReactions:
        """What ``metal`` does with working ion ``ion`` (``Li``, ``Na`` or ``K``) at room temperature."""
        host = self.metal(metal).symbol
        ion = self._check_ion(ion)
        found = self._reactions.get((host, ion))
        if found is None:
            return MetalIonReactions(host, ion, "unknown", ())
        return found

    def all_reactions(self) -> list[MetalIonReactions]:
        return list(self._reactions.values())

    def oxidation(self, metal: str, ion: str = "Li") -> OxidationIndicator | None:
        """The oxidation indicator of ``metal`` vs ``ion``+/``ion``; None where no standard potential is known."""
        symbol = self.metal(metal).symbol
        ion = self._check_ion(ion)
        row = self._oxidation.get(symbol)
        if row is None:
            return None
        ref = self._oxidation.get(ion)
        if ref is None:
            raise DataError(f"oxidation.csv: no row for the working ion {ion}")
        where = f"oxidation.csv row {symbol}"
        e0 = _f(row, "E0_vs_SHE_V", where)
        e0_ion = _f(ref, "E0_vs_SHE_V", f"oxidation.csv row {ion}")
        if e0 is None:  # a row without a standard potential: none is known
            return None
        if e0_ion is None:
            raise DataError(f"oxidation.csv row {ion}: the working ion's E0_vs_SHE_V is required")
        sources = self._sources(row, {"oxidation": ("source", "E0_vs_SHE_V")}, where)
        sources.update({"reference couple": self._sources(ref, {"r": ("source", "E0_vs_SHE_V")}, where).get("r", ())})
        electrons = (row.get("electrons") or "").strip()
        return OxidationIndicator(
            symbol=symbol,
            ion=ion,
            couple=row.get("couple", ""),
            electrons=int(electrons) if electrons else None,
            E0_vs_SHE_V=e0,
            potential_V=round(e0 - e0_ion, 4),
            notes=row.get("notes", ""),
            sources=sources,
        )

    def active(self, name: str, ion: str | None = None) -> ActiveMaterial:
        """The active material ``name`` (key or alias) working with ``ion``.

        Without ``ion``: Li if the material stores Li, else its first listed ion.
        """
        key = self._match("active material", name, self._active_names)
        variants = [a for a in self._actives if a.key == key]
        if ion is None:
            return next((a for a in variants if a.ion == "Li"), variants[0])
        ion = self._check_ion(ion)
        for a in variants:
            if a.ion == ion:
                return a
        stores = ", ".join(a.ion + "+" for a in variants)
        raise UnknownNameError(f"working ion for {key}", ion, [a.ion for a in variants]).with_hint(
            f"{key} does not store {ion}+ (it stores {stores})"
        )

    def ions_of(self, name: str) -> list[str]:
        """The working ions that active material ``name`` stores."""
        key = self._match("active material", name, self._active_names)
        return [a.ion for a in self._actives if a.key == key]

    def actives(self, ion: str | None = None, role: str | None = None) -> list[ActiveMaterial]:
        return [a for a in self._actives if (ion is None or a.ion == ion) and (role is None or a.role == role)]

    def _active_names(self) -> list[tuple[str, tuple[str, ...]]]:
        seen: dict[str, tuple[str, ...]] = {}
        for a in self._actives:
            seen[a.key] = tuple(dict.fromkeys(seen.get(a.key, ()) + a.aliases + (a.name,)))
        return list(seen.items())

    def electrolyte(self, name: str) -> Electrolyte:
        key = self._match("solid electrolyte", name, lambda: ((e.key, e.aliases + (e.name,)) for e in self._electrolytes.values()))
        return self._electrolytes[key]

    def electrolytes(self) -> list[Electrolyte]:
        return list(self._electrolytes.values())

    def auxiliary(self, name: str, kind: str | None = None) -> Auxiliary:
        """A collector, additive, coating or binder by name; ``kind`` restricts the search."""
        pool = [a for a in self._auxiliaries.values() if kind is None or a.kind == kind]
        key = self._match(kind or "auxiliary material", name, lambda: ((a.key, a.aliases + (a.name,)) for a in pool))
        return self._auxiliaries[key]

    def auxiliaries(self, kind: str | None = None) -> list[Auxiliary]:
        return [a for a in self._auxiliaries.values() if kind is None or a.kind == kind]

    def collector(self, name: str) -> Auxiliary | Metal:
        """A collector material: a listed collector (SUS, Cu, ...) or, failing that, any metal."""
        try:
            return self.auxiliary(name, "collector")
        except UnknownNameError as err:
            try:
                return self.metal(name)
            except UnknownNameError:
                raise UnknownNameError(
                    "collector material", name, [a.key for a in self.auxiliaries("collector")] + list(self._metals)
                ) from err

    @staticmethod
    def _check_ion(ion: str) -> str:
        ion = ion.strip().rstrip("+")
        for known in IONS:
            if ion.lower() == known.lower():
                return known
        raise UnknownNameError("working ion", ion, IONS)


_default: Catalog | None = None
_current: ContextVar[Catalog | None] = ContextVar("solidstack_catalog", default=None)


def shipped_catalog() -> Catalog:
    """The catalog of the package's own data files plus the folders named by ``SOLIDSTACK_MATERIALS`` (loaded
    once, lazily)."""
    global _default
    if _default is None:
        # checked when first used (so that a defect is reported by the command that reads it, not at import)
        _default = Catalog(user=[p.strip() for p in os.environ.get(ENV_VAR, "").split(os.pathsep) if p.strip()])
        if _default.user_dirs:
            _default.__dict__["_named_by"] = ENV_VAR
    return _default


def default_catalog() -> Catalog:
    """The catalog stacks resolve their materials against: the one made current by :func:`use_catalog` (or
    :func:`set_default_catalog`, as ``solidstack --materials`` does), else :func:`shipped_catalog`."""
    return _current.get() or shipped_catalog()


def set_default_catalog(catalog: Catalog | None) -> None:
    """Make ``catalog`` the default for this context (None: back to the shipped one)."""
    _current.set(catalog)


@contextmanager
def use_catalog(catalog: Catalog | None) -> Iterator[Catalog]:
    """Within the block, stacks resolve their materials against ``catalog`` (None: leave the default as is)."""
    if catalog is None:
        yield default_catalog()
        return
    token = _current.set(catalog)
    try:
        yield catalog
    finally:
        _current.reset(token)
