"""Modules talk through each other's public names; a private one may change without notice (issue 7, item 11)."""

import ast

from django.conf import settings


def test_no_module_of_the_portal_imports_another_modules_private_names():
    offenders = []
    for path in settings.BASE_DIR.glob("*/**/*.py"):
        if path.parts[len(settings.BASE_DIR.parts)] in ("tests", ".venv", "node_modules"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                private = [alias.name for alias in node.names if alias.name.startswith("_")]
                if private and not node.module.startswith(("django", "__future__")):
                    offenders.append(f"{path.relative_to(settings.BASE_DIR)}: {node.module} {private}")
    assert offenders == []
