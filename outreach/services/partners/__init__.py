"""Partners and what we know of them: the logbook, erasure, KPIs, to-dos, partnerships."""
