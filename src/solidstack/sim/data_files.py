"""The simulation's own constants (contact-loss law, SE-reduction interphase, composite-electrode ionic transport,
calibrated values) as one frozen object, :class:`SimConstants`, loaded once and passed in.

Material values (OCP tables, capacities, transport and kinetic constants) are not here: they live in the
materials knowledge base (``materials/data``) and are read by its :class:`~solidstack.materials.Catalog`.

>>> from solidstack.sim.data_files import SimConstants
>>> c = SimConstants.load()                      # sim/data/*.toml with sim/data/calibration.toml applied
>>> c.value("contact.toml", "law.separation_radii")   # doctest: +SKIP
2.1
>>> c2 = c.with_value("contact.toml", "law.separation_radii", 3.0)   # a new object; c is unchanged
"""

from __future__ import annotations

import copy
import json
import math
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

#: The constants files of ``sim/data`` (besides ``calibration.toml``).
CONSTANT_FILES = ("contact.toml", "sei.toml", "cei.toml", "composite_transport.toml", "collector.toml",
                  "reinsertion.toml")
#: Bruggeman exponent of a composite or separator without a measured transport law (PyBaMM's default).
DEFAULT_BRUGGEMAN = 1.5
CALIBRATION_FILE = "calibration.toml"


def data_dir() -> Path:
    """The directory holding the simulation's own constants (``contact.toml``, ``sei.toml``, ``calibration.toml``)."""
    return Path(str(resources.files("solidstack.sim") / "data"))


def calibration_records(path: Path | None = None) -> list[dict[str, Any]]:
    """The records of a calibration file (default: the shipped ``sim/data/calibration.toml``): fitted constants
    and what they were fitted to; [] if the file does not exist."""
    path = path or data_dir() / CALIBRATION_FILE
    if not path.is_file():
        return []
    return list(tomllib.loads(path.read_text(encoding="utf-8")).get("constant", []))


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value


def _get(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        data = data[part]
    return data


def _frozen(data: Any) -> Any:
    if isinstance(data, dict):
        return MappingProxyType({k: _frozen(v) for k, v in data.items()})
    if isinstance(data, list):
        return tuple(_frozen(v) for v in data)
    return data


def _thawed(data: Any) -> Any:
    if isinstance(data, MappingProxyType | dict):
        return {k: _thawed(v) for k, v in data.items()}
    if isinstance(data, tuple):
        return [_thawed(v) for v in data]
    return data


@dataclass(frozen=True)
class SimConstants:
    """The simulation's constants: each file of ``sim/data`` (``contact.toml``, ``sei.toml``) as a read-only
    mapping, with the calibrated values of a calibration file set in place.

    Build it with :meth:`load`; change a value with :meth:`with_value` (a new object). ``simulate(...,
    constants=...)`` takes one; without it the shipped constants (loaded once) are used.
    """

    files: MappingProxyType
    calibration: tuple[MappingProxyType, ...] = ()
    origin: str = "shipped"
    changed: tuple[tuple[str, str, float], ...] = field(default=())

    @classmethod
    def load(cls, path: Path | str | None = None, calibration: Path | str | None = None) -> SimConstants:
        """The constants of folder ``path`` (default: the package's ``sim/data``) with the records of
        ``calibration`` applied (default: ``calibration.toml`` in that folder; a missing file applies none)."""
        folder = Path(path) if path is not None else data_dir()
        files = {name: tomllib.loads((folder / name).read_text(encoding="utf-8")) for name in CONSTANT_FILES}
        cal_path = Path(calibration) if calibration is not None else folder / CALIBRATION_FILE
        records = calibration_records(cal_path)
        for rec in records:
            if rec["file"] not in files:
                raise ValueError(f"{cal_path}: calibration {rec['name']!r} names unknown file {rec['file']!r}")
            _set(files[rec["file"]], rec["key"], rec["value"])
        origin = "shipped" if path is None and calibration is None else f"{folder} + {cal_path}"
        return cls(_frozen(files), tuple(_frozen(r) for r in records), origin)

    def value(self, file: str, key: str) -> Any:
        """The value of dotted ``key`` (e.g. ``law.separation_radii``) in ``file`` (e.g. ``contact.toml``)."""
        return _get(self.files[file], key)

    def with_value(self, file: str, key: str, value: float) -> SimConstants:
        """A copy with ``file``'s ``key`` set to ``value`` (for calibration and sensitivity studies)."""
        if file not in self.files:
            raise KeyError(f"unknown constants file {file!r}; one of {sorted(self.files)}")
        _get(self.files[file], key)  # must exist
        files = copy.deepcopy(_thawed(self.files))
        _set(files[file], key, value)
        return SimConstants(_frozen(files), self.calibration, self.origin, (*self.changed, (file, key, value)))

    def files_data(self) -> dict[str, Any]:
        """The constants files as plain data (dicts and lists, e.g. for JSON), calibrated values in place."""
        return _thawed(self.files)

    def calibration_data(self) -> list[dict[str, Any]]:
        """The calibration records applied, as plain data."""
        return [_thawed(r) for r in self.calibration]

    # ------------------------------------------------------------ the sections the simulation reads
    @property
    def law(self) -> MappingProxyType:
        """The contact-loss law (``contact.toml`` [law])."""
        return self.files["contact.toml"]["law"]

    @property
    def creep(self) -> MappingProxyType:
        return self.files["contact.toml"]["creep"]

    @property
    def sei(self) -> MappingProxyType:
        """The SE-reduction interphase (``sei.toml``)."""
        return self.files["sei.toml"]

    @property
    def cei(self) -> MappingProxyType:
        """The SE-oxidation interphase at the positive electrode (``cei.toml``)."""
        return self.files["cei.toml"]

    @property
    def reinsertion(self) -> MappingProxyType:
        """The reinsertion limit of Ni-rich layered oxides (``reinsertion.toml``, :mod:`solidstack.sim.reinsertion`)."""
        return self.files["reinsertion.toml"]

    @property
    def composite_transport(self) -> MappingProxyType:
        """The ionic-transport law of composite electrodes (``composite_transport.toml``)."""
        return self.files["composite_transport.toml"]

    def tortuosity_law(self, family: str) -> TortuosityLaw | None:
        """The measured tortuosity law of composites with an SE of ``family`` (first word of its knowledge-base
        class, e.g. ``sulfide``), or None where ``composite_transport.toml`` has no table for it."""
        table = self.composite_transport.get("family", {}).get(family)
        return TortuosityLaw.from_table(family, table) if table is not None else None

    @property
    def fingerprint(self) -> str:
        """A string that differs whenever a value that enters a built simulation's parameters differs (the
        interphases, the creep weights, the composite transport law and the reinsertion limit; the contact law itself
        enters as inputs)."""
        return json.dumps([_thawed(self.sei), _thawed(self.cei), _thawed(self.creep), _thawed(self.composite_transport),
                           _thawed(self.reinsertion)], sort_keys=True, default=str)


@dataclass(frozen=True)
class TortuosityLaw:
    """Tortuosity factor ``tau2`` of the SE in a composite electrode against its SE volume fraction ``eps``, from
    measured composites (``composite_transport.toml``): ``sigma_eff = sigma_SE * eps / tau2(eps)``.

    ``points`` are the measured (eps, tau2) pairs in increasing eps (derived from the source's printed values),
    followed by the pure-SE point (1, 1); ``ln tau2`` is interpolated linearly in eps between them and held at the
    lowest-eps value below it."""

    family: str
    source: str
    points: tuple[tuple[float, float], ...]

    @classmethod
    def from_table(cls, family: str, t: Any) -> TortuosityLaw:
        """The law of a ``[family.*]`` table: eps of each measured composite from its active mass fraction, the
        densities and the void fraction; tau2 = eps * sigma_bulk / sigma_eff."""
        where = f"composite_transport.toml [family.{family}]"
        wt, sig = list(t["active_wt_pct"]), list(t["sigma_eff_S_cm"])
        if len(wt) != len(sig) or not wt:
            raise ValueError(f"{where}: active_wt_pct and sigma_eff_S_cm must be lists of the same length")
        rho_a, rho_se, void = float(t["active_density_g_cm3"]), float(t["se_density_g_cm3"]), float(t["void_fraction"])
        bulk = float(t["sigma_bulk_S_cm"])
        pts = []
        for w, s in zip(wt, sig, strict=True):
            v_a, v_se = w / rho_a, (100.0 - w) / rho_se
            eps = v_se / (v_a + v_se) * (1.0 - void)
            if not (0.0 < eps < 1.0 and 0.0 < s <= bulk):
                raise ValueError(f"{where}: composite {w} wt% gives eps {eps:.3g}, sigma_eff {s:g} (need 0 < eps < 1, "
                                 f"0 < sigma_eff <= sigma_bulk)")
            pts.append((eps, eps * bulk / s))
        pts.sort()
        return cls(family, str(t.get("source", "")), (*pts, (1.0, 1.0)))

    def tortuosity_factor(self, eps: float) -> float:
        """``tau2`` at SE volume fraction ``eps`` (0 < eps <= 1)."""
        if not 0.0 < eps <= 1.0:
            raise ValueError(f"SE volume fraction {eps} outside (0, 1]")
        pts = self.points
        if eps <= pts[0][0]:
            return pts[0][1]
        for (e0, t0), (e1, t1) in zip(pts, pts[1:], strict=False):
            if eps <= e1:
                f = (eps - e0) / (e1 - e0)
                return math.exp(math.log(t0) + f * (math.log(t1) - math.log(t0)))
        return 1.0

    def conductivity_ratio(self, eps: float) -> float:
        """``sigma_eff / sigma_SE = eps / tau2(eps)`` (dimensionless)."""
        return eps / self.tortuosity_factor(eps)

    def bruggeman_exponent(self, eps: float) -> float:
        """The exponent b with ``eps**b = eps / tau2(eps)``, PyBaMM's form of the same sigma_eff (eps < 1)."""
        if eps >= 1.0:
            return DEFAULT_BRUGGEMAN
        return math.log(self.conductivity_ratio(eps)) / math.log(eps)


@cache
def default_constants() -> SimConstants:
    """The shipped constants (``sim/data`` with its ``calibration.toml``), loaded once."""
    return SimConstants.load()
