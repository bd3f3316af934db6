"""The house's rules, checked on the code: a pure domain, packages that import each other in one
direction, nothing under app/ importing workers/, every service that commits being a use case, and
every declared job resolving to a function (docs/architecture.md "Layering rules").

Each check is a function returning its violations, run once on the real tree (expecting none) and
once on a synthetic violation (expecting it to be found), so a check that cannot fail is caught.
"""

import ast
import importlib
from pathlib import Path

from app import jobs

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
FORBIDDEN_IN_DOMAIN = {"flask", "sqlalchemy", "flask_sqlalchemy", "redis", "rq", "requests", "wechatpy",
                       "marshmallow", "werkzeug", "workers"}

# Units from the bottom up: a module may import its own unit and units of lower layers only, never
# a unit of its own layer or above. A module belongs to the unit with the longest matching prefix.
LAYERS: list[list[str]] = [
    ["app.domain"],
    ["app.models"],
    ["app.extensions", "app.errors"],
    ["app.jobs", "app.wechat"],
    ["app.standins", "app.services"],  # app.services: the shared modules at the package's top
    ["app.services.notify"],
    ["app.services.scoring"],
    ["app.services.cycle"],
    ["app.services.observations", "app.services.feedback", "app.services.news", "app.services.org"],
    ["app.connectors"],
    ["app.imports"],
    ["app.reporting"],
    ["app.services.tick", "app.services.bot"],
    ["app.demo", "app.api"],
    ["app.cli"],
    ["app"],  # create_app wires everything together
]


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(source: str, module: str, is_package: bool = False) -> set[str]:
    """Absolute names a module imports; `from pkg import mod` names `pkg.mod` when that is a module."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in KNOWN else base)
    return found


def app_modules(root: Path = APP) -> dict[str, tuple[str, bool]]:
    """Every module under app/: name → (source, is_package)."""
    return {module_name(p, root.parent): (p.read_text(encoding="utf-8"), p.name == "__init__.py")
            for p in sorted(root.rglob("*.py"))}


MODULES = app_modules()
KNOWN = set(MODULES)


def unit_of(module: str) -> tuple[int, str] | None:
    """(layer index, unit) of the longest unit prefix of `module`; None outside app/."""
    best = None
    for index, units in enumerate(LAYERS):
        for unit in units:
            if (module == unit or module.startswith(unit + ".")) and (best is None or len(unit) > len(best[1])):
                best = (index, unit)
    return best


def direction_violations(modules: dict[str, tuple[str, bool]]) -> list[str]:
    problems = []
    for name, (source, is_package) in modules.items():
        mine = unit_of(name)
        for target in imports_of(source, name, is_package):
            theirs = unit_of(target)
            if mine is None or theirs is None or theirs[1] == mine[1] or theirs[0] < mine[0]:
                continue
            problems.append(f"{name} imports {target} ({mine[1]} may not import {theirs[1]})")
    return sorted(problems)


def domain_violations(modules: dict[str, tuple[str, bool]]) -> list[str]:
    problems = []
    for name, (source, is_package) in modules.items():
        if unit_of(name) != (0, "app.domain"):
            continue
        for target in imports_of(source, name, is_package):
            root = target.split(".")[0]
            if root in FORBIDDEN_IN_DOMAIN or (root == "app" and not target.startswith("app.domain")):
                problems.append(f"{name} imports {target}")
    return sorted(problems)


def workers_violations(modules: dict[str, tuple[str, bool]]) -> list[str]:
    return sorted(f"{name} imports {target}" for name, (source, is_package) in modules.items()
                  for target in imports_of(source, name, is_package) if target.split(".")[0] == "workers")


def _commits(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "commit"
               for n in ast.walk(node))


def _called_names(node: ast.AST) -> set[str]:
    return {n.func.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


def use_case_violations(modules: dict[str, tuple[str, bool]]) -> list[str]:
    """Public services that commit (themselves or through a private helper of their module) without
    the use_case decorator, which rolls a refused or failed change back."""
    problems = []
    for name, (source, _) in modules.items():
        if not name.startswith("app.services"):
            continue
        functions = {f.name: f for f in ast.parse(source).body if isinstance(f, ast.FunctionDef)}
        committing = {n for n, f in functions.items() if _commits(f)}
        grown = True
        while grown:
            callers = {n for n, f in functions.items() if _called_names(f) & committing} - committing
            committing |= callers
            grown = bool(callers)
        for function in sorted(committing):
            decorators = {ast.unparse(d) for d in functions[function].decorator_list}
            if not function.startswith("_") and "use_case" not in decorators:
                problems.append(f"{name}.{function}")
    return problems


def job_violations(specs: tuple[jobs.JobSpec, ...]) -> list[str]:
    problems = []
    for spec in specs:
        module, _, function = spec.path.rpartition(".")
        try:
            target = getattr(importlib.import_module(module), function, None)
        except ImportError as exc:
            problems.append(f"{spec.path}: {exc}")
            continue
        if not callable(target):
            problems.append(f"{spec.path}: no such function")
        if spec.queue not in jobs.QUEUES:
            problems.append(f"{spec.path}: queue {spec.queue!r} has no worker")
    return problems



def test_the_scan_finds_the_tree_and_reads_every_import_form():
    assert len(MODULES) > 100 and "app.services.scoring.runs" in MODULES
    source = "import flask\nimport redis.client as r\nfrom sqlalchemy.orm import Session\nfrom . import scoring\n"
    assert imports_of(source, "app.domain.x") == {
        "flask", "redis.client", "sqlalchemy.orm", "app.domain.scoring"}


def test_the_domain_is_plain_python():
    assert domain_violations(MODULES) == []


def test_the_domain_check_catches_a_framework_or_app_import():
    bad = {"app.domain.bad": ("from flask import g\nfrom app.models import Cycle\nfrom .. import jobs\n", False)}
    assert domain_violations(bad) == [
        "app.domain.bad imports app.jobs", "app.domain.bad imports app.models", "app.domain.bad imports flask"]


def test_packages_import_each_other_in_one_direction():
    assert direction_violations(MODULES) == []


def test_the_direction_check_catches_an_upward_or_sideways_import():
    bad = dict(MODULES)
    bad["app.services.notify.outbox"] = ("from app.services.scoring import progress\n", False)
    bad["app.services.news.alerts"] = ("from app.services.feedback import appeals\n", False)
    bad["app.services.audit"] = ("from app.services import tick\n", False)
    assert direction_violations(bad) == [
        "app.services.audit imports app.services.tick (app.services may not import app.services.tick)",
        "app.services.news.alerts imports app.services.feedback.appeals"
        " (app.services.news may not import app.services.feedback)",
        "app.services.notify.outbox imports app.services.scoring.progress"
        " (app.services.notify may not import app.services.scoring)",
    ]


def test_nothing_under_app_imports_workers():
    assert workers_violations(MODULES) == []


def test_the_workers_check_catches_an_import():
    bad = {"app.services.x": ("from workers.jobs import clock\n", False), "app.y": ("import workers\n", False)}
    assert workers_violations(bad) == ["app.services.x imports workers.jobs", "app.y imports workers"]


def test_every_service_that_commits_is_a_use_case():
    assert use_case_violations(MODULES) == []


def test_the_use_case_check_catches_a_commit_without_the_decorator():
    source = ("@use_case\ndef fine():\n    _save()\n\ndef leaky():\n    _save()\n\n"
              "def _save():\n    db.session.commit()\n\ndef direct():\n    db.session.commit()\n")
    assert use_case_violations({"app.services.x": (source, False)}) == ["app.services.x.direct", "app.services.x.leaky"]


def test_every_declared_job_resolves_to_a_function_on_a_listened_queue():
    assert len(jobs.JOBS) >= 5
    assert job_violations(jobs.JOBS) == []


def test_the_job_check_catches_a_wrong_path_or_queue():
    bad = (jobs.JobSpec("workers.jobs.clock.tock", jobs.CLOCK, 1, 1, 1),
           jobs.JobSpec("workers.jobs.nowhere.tick", jobs.CLOCK, 1, 1, 1),
           jobs.JobSpec("workers.jobs.clock.tick", "later", 1, 1, 1))
    problems = job_violations(bad)
    assert problems[0] == "workers.jobs.clock.tock: no such function"
    assert problems[1].startswith("workers.jobs.nowhere.tick: No module named")
    assert problems[2] == "workers.jobs.clock.tick: queue 'later' has no worker"


def test_workers_listen_to_progress_first():
    assert jobs.QUEUES[0] == jobs.PROGRESS and len(set(jobs.QUEUES)) == len(jobs.QUEUES)
