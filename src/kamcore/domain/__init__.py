"""The pure domain: aggregates, their events, value objects and invariants (no I/O)."""
