"""Use cases: each owns its transaction and its audit rows; the rules live in app.domain."""
