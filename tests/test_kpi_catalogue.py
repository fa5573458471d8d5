"""The KPI catalogue: all 44 KPIs load, and a malformed definition fails naming the KPI."""

from __future__ import annotations

import tomllib

import pytest

from kamcore.projections.kpi_catalogue import CATALOGUE_PATH, CatalogueError, catalogue, parse
from kamcore.projections.kpi_view import KNOWN_MEASURES


def _data() -> dict:
    return tomllib.loads(CATALOGUE_PATH.read_text())


def test_the_catalogue_has_all_44_kpis_over_known_measures() -> None:
    cat = catalogue()
    assert len(cat.kpis) == 44
    assert sorted({k.kra for k in cat.kpis}) == list(range(1, 12))
    assert all(sum(1 for k in cat.kpis if k.kra == kra) == 4 for kra in range(1, 12))
    assert set(cat.measures) <= KNOWN_MEASURES
    assert all(k.events for k in cat.kpis if k.formula != "target_attainment")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"measure": "no_such_measure"}, "KPI 'loss_ratio': unknown measure 'no_such_measure'"),
        ({"formula": "magic"}, "KPI 'loss_ratio': 'formula' is 'magic'"),
        ({"direction": "sideways"}, "KPI 'loss_ratio': 'direction'"),
        ({"kra": 99}, "KPI 'loss_ratio': 'kra' 99"),
        ({"scale": 0}, "KPI 'loss_ratio': 'scale'"),
    ],
)
def test_a_bad_definition_is_refused_naming_the_kpi(change: dict, message: str) -> None:
    data = _data()
    kpi = next(k for k in data["kpi"] if k["id"] == "loss_ratio")
    if "measure" in change:
        kpi.pop("numerator"), kpi.pop("denominator")
    kpi.update(change)
    with pytest.raises(CatalogueError, match=message.replace("(", r"\(")):
        parse(data, KNOWN_MEASURES)


def test_a_measure_the_read_model_does_not_compute_is_refused() -> None:
    data = _data()
    data["measures"]["invented"] = {"kind": "fact", "description": "x", "events": ["Policy.Bound"]}
    with pytest.raises(CatalogueError, match="measure 'invented': the kpi_measures read model does not compute it"):
        parse(data, KNOWN_MEASURES)


def test_a_kpi_without_measures_and_a_duplicate_id_are_refused() -> None:
    data = _data()
    data["kpi"][0].pop("measure")
    with pytest.raises(CatalogueError, match="KPI 'client_retention_rate': formula 'ratio' needs"):
        parse(data, KNOWN_MEASURES)
    data = _data()
    data["kpi"].append(dict(data["kpi"][1]))
    with pytest.raises(CatalogueError, match="KPI 'client_meetings_per_month': duplicate id"):
        parse(data, KNOWN_MEASURES)
