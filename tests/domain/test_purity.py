"""app/domain stays plain Python: no web framework, ORM, queue or network client import."""

import ast
from pathlib import Path

import app.domain

FORBIDDEN = {"flask", "sqlalchemy", "flask_sqlalchemy", "redis", "rq", "requests", "wechatpy", "marshmallow"}
DOMAIN = Path(app.domain.__file__).parent


def imported_roots(source: str) -> set[str]:
    """Top-level package names imported by a module's source (absolute imports only)."""
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_scan_sees_every_import_form():
    source = "import flask\nimport redis.client as r\nfrom sqlalchemy.orm import Session\nfrom . import scoring\n"
    assert imported_roots(source) == {"flask", "redis", "sqlalchemy"}


def test_no_domain_module_imports_flask_sqlalchemy_redis_rq_or_clients():
    modules = sorted(DOMAIN.rglob("*.py"))
    assert len(modules) >= 15, "the scan must actually find the domain's modules"
    offenders = {
        str(path.relative_to(DOMAIN)): sorted(imported_roots(path.read_text(encoding="utf-8")) & FORBIDDEN)
        for path in modules
    }
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_domain_modules_import_nothing_from_the_rest_of_the_app():
    """Data flows edge → service → domain: the domain never reaches back into services or models."""
    for path in DOMAIN.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                assert not (node.module.startswith("app.") and not node.module.startswith("app.domain")), path
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not (alias.name.startswith("app.") and not alias.name.startswith("app.domain")), path
