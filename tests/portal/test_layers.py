"""The apps stack in layers: a module imports its own app and the layers below, never an app above or beside it."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)

# Lowest first. portal holds the shared mechanisms every app uses; demo seeds every app, so it sits on top.
# The audit trail imports only portal and sits under every app that writes, reference included: the
# secretariat's change of a State's UNCAC status is audited like any other write.
LAYERS = [
    {"portal"},
    {"audit"},
    {"reference"},
    {"accounts"},
    {"roster", "needs"},
    {"matching"},
    {"feedback"},
    {"stats", "review", "dashboard"},
    {"demo"},
]
LAYER_OF = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}


def _imported_apps(path: Path) -> set[str]:
    apps = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        apps.update(name.split(".")[0] for name in names if name.split(".")[0] in LAYER_OF)
    return apps


def test_every_project_app_has_a_layer():
    project_apps = {name.split(".")[0] for name in settings.INSTALLED_APPS if (ROOT / name.split(".")[0]).is_dir()}
    assert project_apps == set(LAYER_OF)


@pytest.mark.parametrize("app", sorted(LAYER_OF))
def test_an_app_imports_nothing_above_or_beside_it(app):
    offending = {
        str(path.relative_to(ROOT)): sorted(
            other for other in _imported_apps(path) if other != app and LAYER_OF[other] >= LAYER_OF[app]
        )
        for path in (ROOT / app).rglob("*.py")
    }
    assert {path: apps for path, apps in offending.items() if apps} == {}
