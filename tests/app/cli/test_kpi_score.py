"""`flask kpi score` prints exactly the golden outputs, from a file or stdin; bad input exits 2."""

import json
from pathlib import Path

import pytest

from app import create_app
from config import TestConfig

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "score"
CASES = sorted(p.name[: -len(".in.json")] for p in GOLDEN.glob("*.in.json"))


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    """The CLI needs no database or Redis to score a file."""
    app = create_app(TestConfig({"JIXIAO_INSTANCE": str(tmp_path_factory.mktemp("cli"))}))
    return app.test_cli_runner()  # click 8.2+: stdout and stderr are kept apart


def canonical(text: str) -> str:
    return json.dumps(json.loads(text), ensure_ascii=False, indent=2, sort_keys=True)


@pytest.mark.parametrize("name", CASES)
def test_cli_prints_the_golden_output(cli, name):
    source = GOLDEN / f"{name}.in.json"
    expected = canonical((GOLDEN / f"{name}.out.json").read_text(encoding="utf-8"))
    result = cli.invoke(args=["kpi", "score", str(source)])
    if name.startswith("error_"):
        assert result.exit_code == 2
        assert canonical(result.stderr) == expected
    else:
        assert result.exit_code == 0, result.output
        assert canonical(result.stdout) == expected


def test_cli_reads_stdin(cli):
    source = (GOLDEN / "ops_seed_report.in.json").read_text(encoding="utf-8")
    result = cli.invoke(args=["kpi", "score", "-"], input=source)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["summary"] == "运营岗总分88分，优秀；广告ROI未达标（2.8:1），需优化关键词"


def test_cli_refuses_broken_json_with_a_chinese_message(cli):
    result = cli.invoke(args=["kpi", "score", "-"], input='{"position": ')
    assert result.exit_code == 2
    error = json.loads(result.stderr)["error"]
    assert error["code"] == "score_file_invalid"
    assert "JSON 格式错误" in error["message"]


def test_cli_refuses_a_figure_too_large_to_hold_without_a_traceback(cli):
    document = {"position": "ops", "month": "2025-10", "actuals": {"ops_sales": "1e400"}}
    result = cli.invoke(args=["kpi", "score", "-"], input=json.dumps(document))
    assert result.exit_code == 2
    error = json.loads(result.stderr)["error"]
    assert error["code"] == "score_file_invalid" and "actuals.ops_sales" in error["fields"]
