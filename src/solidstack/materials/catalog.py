"""Loading the knowledge base from ``data/`` and looking records up by name.

``Catalog`` reads every data file once, checks that each value has a source that resolves, and answers
look-ups such as ``catalog.metal("In")``, ``catalog.reactions("In", ion="Li")`` or
``catalog.active("graphite").window``. An unknown name raises :class:`~solidstack.errors.UnknownNameError`
listing the closest known names.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Callable, Iterable
from functools import cached_property
from importlib import resources
from pathlib import Path

from solidstack.errors import SolidstackError, UnknownNameError
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
    Window,
)

#: Kinds of entry, as used by ``solidstack materials KIND``.
KINDS = ("metals", "reactions", "actives", "electrolytes", "collectors", "additives", "coatings", "binders")


class DataError(SolidstackError):
    """A defect in the shipped data files (a missing source, a bad number): a bug, not a user error."""


def default_data_dir() -> Path:
    return Path(str(resources.files("solidstack.materials") / "data"))


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
    """The materials knowledge base, loaded from a data directory (the package's own by default)."""

    def __init__(self, data_dir: Path | str | None = None):
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()

    # ---------------------------------------------------------------- loading
    def _rows(self, name: str) -> list[dict[str, str]]:
        path = self.data_dir / name
        with path.open(newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))

    @cached_property
    def references(self) -> dict[str, Reference]:
        refs: dict[str, Reference] = {}
        for path in sorted((self.data_dir / "references").glob("*.toml")):
            for key, entry in tomllib.loads(path.read_text(encoding="utf-8")).items():
                if key in refs:
                    raise DataError(f"{path.name}: reference key {key!r} is defined twice")
                refs[key] = Reference(key, entry["citation"], entry.get("url", ""), entry.get("note", ""))
        return refs

    def _sources(self, row: dict[str, str], groups: dict[str, tuple[str, ...]], where: str) -> Sources:
        """Resolve each ``*_source`` column; a value present with no source is a data defect."""
        out: Sources = {}
        for group, (source_col, *value_cols) in groups.items():
            keys = _aliases(row.get(source_col, ""))
            has_value = any((row.get(c) or "").strip() for c in value_cols)
            if has_value and not keys:
                raise DataError(f"{where}: values {value_cols} have no source in {source_col!r}")
            missing = [k for k in keys if k not in self.references]
            if missing:
                raise DataError(f"{where}: unknown reference key(s) {missing} in {source_col!r}")
            if keys:
                out[group] = tuple(self.references[k] for k in keys)
        return out

    @cached_property
    def _metals(self) -> dict[str, Metal]:
        metals = {}
        for row in self._rows("metals.csv"):
            where = f"metals.csv row {row['symbol']}"
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
            )
            molar_mass = _f(row, "molar_mass_g_mol", where)
            if molar_mass is None:
                raise DataError(f"{where}: molar_mass_g_mol is required")
            metals[row["symbol"]] = Metal(
                symbol=row["symbol"],
                name=row["name"],
                elongation_pct=_f(row, "elongation_pct", where),
                elongation_max_pct=_f(row, "elongation_max_pct", where),
                elongation_condition=row.get("elongation_condition", ""),
                elongation_status=row.get("elongation_status", ""),
                brinell_MPa=_f(row, "brinell_MPa", where),
                vickers_MPa=_f(row, "vickers_MPa", where),
                youngs_modulus_GPa=_f(row, "youngs_modulus_GPa", where),
                density_g_cm3=_f(row, "density_g_cm3", where),
                molar_mass_g_mol=molar_mass,
                molar_volume_cm3_mol=_f(row, "molar_volume_cm3_mol", where),
                resistivity_ohm_m=_f(row, "resistivity_ohm_m", where),
                notes=row.get("notes", ""),
                sources=sources,
            )
        return metals

    @cached_property
    def _reactions(self) -> dict[tuple[str, str], MetalIonReactions]:
        grouped: dict[tuple[str, str], list[tuple[str, ReactionStep]]] = {}
        for i, row in enumerate(self._rows("reactions.csv"), start=2):
            where = f"reactions.csv line {i} ({row['host']}-{row['ion']})"
            host = row["host"]
            if host not in self._metals:
                raise DataError(f"{where}: host {host!r} is not in metals.csv")
            if row["ion"] not in IONS:
                raise DataError(f"{where}: ion {row['ion']!r} is not one of {IONS}")
            sources = self._sources(
                row,
                {
                    "potential": ("potential_source", "E_equilibrium_V", "E_insertion_V", "E_extraction_V"),
                    "volume": ("volume_source", "volume_change_pct"),
                },
                where,
            )
            step = ReactionStep(
                step=int(row.get("step") or 0),
                from_phase=row.get("from_phase", ""),
                to_phase=row.get("to_phase", ""),
                x_from=_f(row, "x_from", where),
                x_to=_f(row, "x_to", where),
                E_equilibrium_V=_f(row, "E_equilibrium_V", where),
                E_insertion_V=_f(row, "E_insertion_V", where),
                E_extraction_V=_f(row, "E_extraction_V", where),
                volume_change_pct=_f(row, "volume_change_pct", where),
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
        return {row["symbol"]: row for row in self._rows("oxidation.csv")}

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

    def _load_ocp(self, name: str, where: str) -> OcpCurve:
        path = self.data_dir / "ocp" / name
        if not path.is_file():
            raise DataError(f"{where}: OCP file {name!r} not found")
        xs, us, header, keys = [], [], [], []  # type: list[float], list[float], list[str], list[str]
        lines = path.read_text(encoding="utf-8").splitlines()
        for line in lines[1:]:
            if line.startswith("#"):
                header.append(line[1:].strip())
                if line[1:].strip().startswith("source_key:"):
                    keys.extend(_aliases(line.split(":", 1)[1].replace(",", ";")))
            elif line.strip():
                x, u = line.split(",")[:2]
                xs.append(float(x))
                us.append(float(u))
        missing = [k for k in keys if k not in self.references]
        if not keys or missing:
            raise DataError(f"ocp/{name}: needs a '# source_key:' line with known keys (missing {missing})")
        return OcpCurve(name, tuple(xs), tuple(us), "\n".join(header), {"ocp": tuple(self.references[k] for k in keys)})

    @cached_property
    def _actives(self) -> list[ActiveMaterial]:
        out = []
        for row in self._rows("actives.csv"):
            where = f"actives.csv row {row['key']}/{row['ion']}"
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
            )
            lo, hi = _f(row, "window_lo_V", where), _f(row, "window_hi_V", where)
            if lo is None or hi is None:
                raise DataError(f"{where}: window_lo_V and window_hi_V are required")
            plo, phi = _f(row, "patent_window_lo_V", where), _f(row, "patent_window_hi_V", where)
            ocp_name = (row.get("ocp_file") or "").strip()
            ocp = self._load_ocp(ocp_name, where) if ocp_name else None
            if ocp is not None:
                sources["ocp"] = ocp.sources["ocp"]
            out.append(
                ActiveMaterial(
                    key=row["key"],
                    name=row["name"],
                    formula=row.get("formula", ""),
                    aliases=_aliases(row.get("aliases", "")),
                    ion=row["ion"],
                    role=row["role"],
                    window=Window(lo, hi),
                    average_V=_f(row, "average_V", where),
                    practical_capacity_mAh_g=_f(row, "practical_capacity_mAh_g", where),
                    theoretical_capacity_mAh_g=_f(row, "theoretical_capacity_mAh_g", where),
                    density_g_cm3=_f(row, "density_g_cm3", where),
                    volume_change_pct=_f(row, "volume_change_pct", where),
                    patent_window=Window(plo, phi) if plo is not None and phi is not None else None,
                    ocp=ocp,
                    notes=row.get("notes", ""),
                    sources=sources,
                )
            )
        return out

    @cached_property
    def _electrolytes(self) -> dict[str, Electrolyte]:
        out = {}
        for row in self._rows("electrolytes.csv"):
            where = f"electrolytes.csv row {row['key']}"
            sources = self._sources(
                row,
                {
                    "conductivity": ("conductivity_source", "conductivity_S_cm"),
                    "window": ("window_source", "window_lo_V", "window_hi_V"),
                    "density": ("density_source", "density_g_cm3"),
                },
                where,
            )
            lo, hi = _f(row, "window_lo_V", where), _f(row, "window_hi_V", where)
            out[row["key"]] = Electrolyte(
                key=row["key"],
                name=row["name"],
                aliases=_aliases(row.get("aliases", "")),
                ion=row["ion"],
                electrolyte_class=row.get("class", ""),
                conductivity_S_cm=_f(row, "conductivity_S_cm", where),
                window=Window(lo, hi) if lo is not None and hi is not None else None,
                window_kind=row.get("window_kind", ""),
                density_g_cm3=_f(row, "density_g_cm3", where),
                notes=row.get("notes", ""),
                sources=sources,
            )
        return out

    @cached_property
    def _auxiliaries(self) -> dict[str, Auxiliary]:
        out = {}
        for row in self._rows("auxiliaries.csv"):
            where = f"auxiliaries.csv row {row['key']}"
            sources = self._sources(
                row,
                {
                    "density": ("density_source", "density_g_cm3"),
                    "resistivity": ("resistivity_source", "resistivity_ohm_m"),
                },
                where,
            )
            out[row["key"]] = Auxiliary(
                key=row["key"],
                name=row["name"],
                aliases=_aliases(row.get("aliases", "")),
                kind=row["kind"],
                density_g_cm3=_f(row, "density_g_cm3", where),
                resistivity_ohm_m=_f(row, "resistivity_ohm_m", where),
                notes=row.get("notes", ""),
                sources=sources,
            )
        return out

    def load_all(self) -> None:
        """Load and check every file now (the loaders are otherwise lazy)."""
        self._metals, self._reactions, self._actives, self._electrolytes, self._auxiliaries  # noqa: B018
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


def default_catalog() -> Catalog:
    """The catalog of the package's own data files (loaded once, lazily)."""
    global _default
    if _default is None:
        _default = Catalog()
    return _default
