"""Job functions: they take ids and primitives, run inside the worker's app context, and are safe to run twice."""
