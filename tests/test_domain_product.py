"""The product catalogue without storage: launch, revise, withdraw."""

from __future__ import annotations

from typing import Any

import pytest

from kamcore.domain.errors import Conflict, InvalidInput
from kamcore.domain.product import Product
from kamcore.domain.values import Segment
from tests.test_domain import envelope


def launched(**overrides: Any) -> Product:
    arguments: dict[str, Any] = {
        "code": "PROP-1",
        "name": "Commercial property",
        "line_of_business": "property",
        "target_segments": ["corporate", "mid_market", "corporate"],
        "needs_covered": ["fire", "business interruption"],
        **overrides,
    }
    return Product.launch(**arguments, envelope=envelope())


def test_launch_writes_launched_under_the_code_derived_id() -> None:
    product = launched()
    [event] = product.collect_events()
    assert type(event).__name__ == "Launched"
    assert (event.code, event.line_of_business, event.target_segments, event.needs_covered) == (
        "PROP-1",
        "property",
        (Segment.CORPORATE, Segment.MID_MARKET),
        ("fire", "business interruption"),
    )
    assert product.id == Product.id_for("PROP-1")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": "bad code"}, "code"),
        ({"name": ""}, "name"),
        ({"line_of_business": ""}, "line_of_business"),
        ({"target_segments": []}, "target_segments"),
        ({"target_segments": ["martians"]}, "target_segments"),
        ({"needs_covered": [" "]}, "needs_covered"),
    ],
)
def test_bad_products_are_refused(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        launched(**overrides)
    assert raised.value.field == field


def test_revise_writes_the_whole_resulting_entry() -> None:
    product = launched()
    product.revise(target_segments=["sme"], envelope=envelope())
    revised = product.collect_events()[-1]
    assert (type(revised).__name__, revised.name, revised.target_segments, revised.needs_covered) == (
        "Revised",
        "Commercial property",
        (Segment.SME,),
        ("fire", "business interruption"),
    )


def test_withdraw_needs_a_reason_and_ends_revisions() -> None:
    with pytest.raises(InvalidInput) as raised:
        launched().withdraw(envelope=envelope(reason=None))
    assert raised.value.field == "reason"
    product = launched()
    product.withdraw(envelope=envelope())
    assert type(product.collect_events()[-1]).__name__ == "Withdrawn"
    with pytest.raises(Conflict) as conflict:
        product.revise(name="New", envelope=envelope())
    assert conflict.value.code == "PRODUCT_WITHDRAWN"
