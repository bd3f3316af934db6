"""RQ workers, the one scheduler, and the `make run` supervisor (`python -m workers …`)."""
