"""Stored events decode to exactly what the library's transcoder gives, and event data encodes to the same JSON."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, TranscodingNotRegisteredError

from kamcore.application import CommandContext
from kamcore.application.transcodings import CACHE_LIMIT, DataclassAsDict, DateAsISO, register_domain_transcodings
from kamcore.demo import write_book
from kamcore.domain.account import Account
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.events import event_data
from kamcore.projections.json_text import event_json
from kamcore.runtime import Runtime


class _LibraryTranscoder(JSONTranscoder):
    """The library's own decoding hook and transcodings, with nothing cached: the reference."""

    def __init__(self) -> None:
        super().__init__()
        for transcoding in (DecimalAsStr(), DatetimeAsISO()):
            self.register(transcoding)
        register_domain_transcodings(self)
        for transcoding in self.names.values():
            if hasattr(transcoding, "build"):
                transcoding.decode = transcoding.build  # type: ignore[method-assign]
            if isinstance(transcoding, DataclassAsDict):  # through the dataclass's own __init__
                transcoding.decode = _constructed(transcoding.type)  # type: ignore[method-assign]

    def decode(self, data: bytes) -> Any:
        return self.decoder.decode(data.decode("utf8"))  # the standard library's parser and the object hook


def _constructed(cls: type) -> Callable[[dict[str, Any]], Any]:
    return lambda data: cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


def _stored(runtime: Runtime) -> list:
    return runtime.app.recorder.select_notifications(start=1, limit=10_000)


def test_every_stored_event_decodes_as_the_library_decodes_it(runtime: Runtime, ctx: CommandContext) -> None:
    write_book(runtime.app, 6, seed=4)
    runtime.app.open_account(ctx, name="Zürich Rückversicherung ÅB", segment="corporate", region="Nord")
    reference = _LibraryTranscoder()
    stored = _stored(runtime)
    assert len(stored) > 300
    for notification in stored:
        assert runtime.app.mapper.transcoder.decode(notification.state) == reference.decode(notification.state)


def test_every_event_encodes_as_the_library_encodes_it(runtime: Runtime, ctx: CommandContext) -> None:
    """The encoder skips the circular-reference check (a fast path); the bytes are the library encoder's."""
    write_book(runtime.app, 6, seed=4)
    runtime.app.open_account(ctx, name="Zürich Rückversicherung ÅB", segment="corporate", region="Nord")
    reference = _LibraryTranscoder()
    for notification in _stored(runtime):
        state = reference.decode(notification.state)
        assert runtime.app.mapper.transcoder.encode(state) == reference.encode(state) == notification.state


def test_event_json_is_the_event_data_as_json(runtime: Runtime, ctx: CommandContext) -> None:
    write_book(runtime.app, 6, seed=4)
    runtime.app.open_account(ctx, name="Zürich Rückversicherung ÅB", segment="corporate", region="Nord")
    events = [runtime.app.mapper.to_domain_event(n) for n in _stored(runtime)]
    assert any(isinstance(e, Account.Opened) and "ü" in e.name for e in events)
    for event in events:
        assert json.loads(event_json(event)) == event_data(event)


def test_an_unknown_stored_type_is_still_refused_by_name(runtime: Runtime) -> None:
    with pytest.raises(TranscodingNotRegisteredError, match="no_such_type"):
        runtime.app.mapper.transcoder.decode(b'{"x":{"_type_":"no_such_type","_data_":1}}')


def test_a_value_stored_before_a_field_was_added_gets_the_fields_default(runtime: Runtime) -> None:
    """Stored data without a field the class has since gained goes through `__init__`, which fills the default."""
    envelope = {"actor": "a", "correlation_id": "c", "causation_id": "c", "source": "cli", "recorded_at": "now"}
    decoded = runtime.app.mapper.transcoder.decode(
        json.dumps({"_type_": "value_AuditEnvelope", "_data_": envelope}).encode()
    )
    assert decoded == AuditEnvelope(**envelope)  # on_behalf_of, reason and effective_date default to None
    assert (decoded.on_behalf_of, decoded.reason, decoded.effective_date) == (None, None, None)


def test_a_value_class_that_checks_itself_is_decoded_through_its_init() -> None:
    @dataclasses.dataclass(frozen=True)
    class Checked:
        amount: int

        def __post_init__(self) -> None:
            if self.amount < 0:
                raise ValueError("negative")

    transcoding = DataclassAsDict(Checked)
    assert transcoding.decode({"amount": 3}) == Checked(3)
    with pytest.raises(ValueError, match="negative"):
        transcoding.decode({"amount": -1})


def test_the_decoding_cache_is_bounded() -> None:
    dates = DateAsISO()
    first = date(1900, 1, 1)
    for day in range(CACHE_LIMIT + 10):
        assert dates.decode((first + timedelta(days=day)).isoformat()) == first + timedelta(days=day)
    assert len(dates._decoded) <= CACHE_LIMIT
