"""The apps depend one way: `archive` (the domain) never reaches into `digest` (what readers see),
not with an import at the top, not inside a function, not through the app registry."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ARCHIVE = Path(settings.BASE_DIR) / "archive"
UPPER = "digest"
# Calls that reach a module or a model by name.
BY_NAME = {
    "import_module",
    "__import__",
    "get_model",
    "get_app_config",
    "get_containing_app_config",
}


def names_the_upper_app(value):
    return isinstance(value, str) and (value == UPPER or value.startswith(f"{UPPER}."))


def reaches_upward(tree):
    """(line, what) for every way this module names the upper app."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if names_the_upper_app(alias.name):
                    yield node.lineno, f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and names_the_upper_app(node.module or ""):
                yield node.lineno, f"from {node.module} import …"
        elif isinstance(node, ast.Call):
            function = node.func
            name = getattr(function, "attr", getattr(function, "id", ""))
            if name in BY_NAME and any(
                isinstance(argument, ast.Constant) and names_the_upper_app(argument.value)
                for argument in node.args
            ):
                yield node.lineno, f"{name}({UPPER!r}…)"


def modules():
    return sorted(path for path in ARCHIVE.rglob("*.py") if "migrations" not in path.parts)


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(ARCHIVE)))
def test_the_domain_never_imports_what_readers_see(path):
    found = list(reaches_upward(ast.parse(path.read_text(), filename=str(path))))

    assert not found, f"{path.name} reaches into {UPPER}: {found}"


@pytest.mark.parametrize(
    "source",
    [
        "from digest.views import HomeView",
        "import digest.caching",
        "def f():\n    from digest import topics",
        "apps.get_model('digest', 'Anything')",
        "importlib.import_module('digest.feeds')",
    ],
)
def test_the_walk_finds_every_way_of_reaching_upward(source):
    assert list(reaches_upward(ast.parse(source)))
