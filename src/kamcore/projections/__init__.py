"""Read models maintained from the event log, exactly once, in batches; rebuildable and resumable."""
