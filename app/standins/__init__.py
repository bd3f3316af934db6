"""Local stand-ins for the external systems the product talks to, for tests and `make run`.

A stand-in is a test double of someone else's server: it speaks their documented HTTP API on the
real paths, keeps its data in memory, and records what it received so tests can assert on it.
Production never starts one; only base-URL settings point our clients at it.
"""
