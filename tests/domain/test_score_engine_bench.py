"""bench/score_engine.py keeps working: a small run agrees with the Fraction reference."""

import runpy
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "score_engine.py"


def test_a_small_bench_run_matches_the_reference_checksum(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", [str(BENCH), "--assessments", "300"])
    module = runpy.run_path(str(BENCH))
    assert module["main"]() == 0
    out = capsys.readouterr().out
    assert "checksums equal" in out and "300 × 8 items" in out
