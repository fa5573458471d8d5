"""The KPI catalogue (`projections/kpis.toml`): loaded and validated once, at start-up.

A malformed definition is a `CatalogueError` naming the KPI (or measure) and what is wrong, so a bad
edit to the catalogue stops the process before it serves a wrong number.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CATALOGUE_PATH = Path(__file__).resolve().parents[3] / "projections" / "kpis.toml"

FORMULAS = frozenset(
    {"ratio", "mean", "sum", "count", "per_month", "median", "p90", "change", "measured", "target_attainment"}
)
UNITS = frozenset({"percent", "count", "count_per_month", "score", "money", "days", "hours", "per_100", "points"})
DIRECTIONS = frozenset({"higher", "lower"})
WINDOWS = frozenset({"period", "period_start", "as_of"})
MEASURE_KINDS = frozenset({"fact", "state"})
NEEDS_NO_MEASURE = frozenset({"target_attainment"})


class CatalogueError(ValueError):
    """The catalogue is malformed; the message names the KPI or measure."""


@dataclass(frozen=True)
class Measure:
    name: str
    kind: str
    description: str
    events: tuple[str, ...]


@dataclass(frozen=True)
class Kpi:
    id: str
    name: str
    kra: int
    kra_name: str
    unit: str
    direction: str
    formula: str
    measure: str | None
    numerator: str | None
    denominator: str | None
    scale: int
    basis: str
    window: str
    events: tuple[str, ...]

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(m for m in (self.measure, self.numerator, self.denominator) if m)

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"


@dataclass(frozen=True)
class Catalogue:
    kras: dict[int, str]
    measures: dict[str, Measure]
    kpis: tuple[Kpi, ...]

    def kpi(self, kpi_id: str) -> Kpi:
        for kpi in self.kpis:
            if kpi.id == kpi_id:
                return kpi
        raise KeyError(kpi_id)


def _text(where: str, data: dict[str, Any], key: str, allowed: frozenset[str] | None = None) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: '{key}' must be a non-empty string")
    if allowed is not None and value not in allowed:
        raise CatalogueError(f"{where}: '{key}' is {value!r}; expected one of {', '.join(sorted(allowed))}")
    return value


def parse(data: dict[str, Any], known_measures: frozenset[str] | None = None) -> Catalogue:
    """Validate a parsed catalogue; `known_measures` are the measures the read model can compute."""
    kras_raw = data.get("kras")
    if not isinstance(kras_raw, dict) or not kras_raw:
        raise CatalogueError("catalogue: [kras] must map KRA numbers to names")
    kras = {int(k): str(v) for k, v in kras_raw.items()}
    measures: dict[str, Measure] = {}
    for name, spec in (data.get("measures") or {}).items():
        where = f"measure {name!r}"
        if not isinstance(spec, dict):
            raise CatalogueError(f"{where}: must be a table")
        kind = _text(where, spec, "kind", MEASURE_KINDS)
        events = spec.get("events")
        if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
            raise CatalogueError(f"{where}: 'events' must list the events it counts")
        if known_measures is not None and name not in known_measures:
            raise CatalogueError(f"{where}: the kpi_measures read model does not compute it")
        measures[name] = Measure(name, kind, _text(where, spec, "description"), tuple(events))
    kpis: list[Kpi] = []
    seen: set[str] = set()
    for index, spec in enumerate(data.get("kpi") or []):
        kpi_id = spec.get("id") if isinstance(spec, dict) else None
        where = f"KPI {kpi_id!r}" if kpi_id else f"KPI #{index + 1}"
        if not isinstance(spec, dict):
            raise CatalogueError(f"{where}: must be a table")
        kpi_id = _text(where, spec, "id")
        if kpi_id in seen:
            raise CatalogueError(f"{where}: duplicate id")
        seen.add(kpi_id)
        kra = spec.get("kra")
        if kra not in kras:
            raise CatalogueError(f"{where}: 'kra' {kra!r} is not one of the KRAs in [kras]")
        formula = _text(where, spec, "formula", FORMULAS)
        measure, numerator, denominator = spec.get("measure"), spec.get("numerator"), spec.get("denominator")
        if formula in NEEDS_NO_MEASURE:
            if measure or numerator or denominator:
                raise CatalogueError(f"{where}: formula {formula!r} takes no measure")
        elif measure and (numerator or denominator):
            raise CatalogueError(f"{where}: give either 'measure' or 'numerator' + 'denominator', not both")
        elif not measure and not (numerator and denominator):
            raise CatalogueError(f"{where}: formula {formula!r} needs 'measure' or 'numerator' + 'denominator'")
        elif numerator and formula != "ratio":
            raise CatalogueError(f"{where}: 'numerator' + 'denominator' only go with formula 'ratio'")
        for used in (measure, numerator, denominator):
            if used is not None and used not in measures:
                raise CatalogueError(f"{where}: unknown measure {used!r}")
        scale = spec.get("scale", 1)
        if not isinstance(scale, int) or isinstance(scale, bool) or scale <= 0:
            raise CatalogueError(f"{where}: 'scale' must be a positive integer")
        used_measures = [measures[m] for m in (measure, numerator, denominator) if m]
        kpis.append(
            Kpi(
                id=kpi_id,
                name=_text(where, spec, "name"),
                kra=kra,
                kra_name=kras[kra],
                unit=_text(where, spec, "unit", UNITS),
                direction=_text(where, spec, "direction", DIRECTIONS),
                formula=formula,
                measure=measure,
                numerator=numerator,
                denominator=denominator,
                scale=scale,
                basis=_text(where, spec, "basis"),
                window=_text(where, spec, "window", WINDOWS),
                events=tuple(dict.fromkeys(e for m in used_measures for e in m.events)),
            )
        )
    if not kpis:
        raise CatalogueError("catalogue: no [[kpi]] defined")
    return Catalogue(kras, measures, tuple(kpis))


def load(path: Path = CATALOGUE_PATH, known_measures: frozenset[str] | None = None) -> Catalogue:
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(f"{path}: not valid TOML ({error})") from None
    return parse(data, known_measures)


@cache
def catalogue() -> Catalogue:
    """The validated catalogue of this process (checked against the measures the read model computes)."""
    from kamcore.projections.kpi_view import KNOWN_MEASURES

    return load(known_measures=KNOWN_MEASURES)
