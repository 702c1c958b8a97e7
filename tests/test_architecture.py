"""The import direction of docs/ARCHITECTURE.md, enforced on the source (AST, no imports run).

Each part of ``compass_nb`` sits on a layer; a part imports only parts on lower layers. The
domain packages are pure: they import neither each other (but the shared ``crediting``),
nor the store, the context, the steps, plotting, widgets, papermill or nbconvert.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "compass_nb"

#: Bottom to top; parts on one line share a layer and may not import each other.
LAYERS = [
    ["credentials", "__init__"],
    ["errors", "faults"],
    ["formatting", "calendar", "exports"],
    ["data"],
    ["params"],
    ["store"],
    ["crediting", "quality", "bands"],
    ["forecast", "sop", "pipeline", "comp", "enps", "incentives"],
    ["context"],
    ["steps"],
    ["display"],
    ["viz"],
    ["widgets"],
    ["nb", "report"],
    ["kernels"],
    ["workers"],
    ["runner"],
    ["cli"],
]
LEVEL = {part: level for level, parts in enumerate(LAYERS) for part in parts}
DOMAIN = {
    "forecast",
    "sop",
    "pipeline",
    "comp",
    "enps",
    "incentives",
    "crediting",
    "quality",
    "bands",
}
NOT_IN_DOMAIN = {
    "matplotlib",
    "seaborn",
    "ipywidgets",
    "IPython",
    "papermill",
    "nbconvert",
    "nbformat",
}


def _part(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0] if parts else "__init__"


def _imports(path: Path) -> set[str]:
    """Top-level names imported: ``compass_nb.X`` as ``X``, third-party as their root."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "compass_nb":
                names = [f"compass_nb.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            root, _, rest = name.partition(".")
            out.add(f"compass_nb.{rest.split('.')[0]}" if root == "compass_nb" and rest else root)
    return out


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_every_part_of_the_package_has_a_layer():
    assert {_part(path) for path in SOURCES} <= set(LEVEL)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_imports_only_parts_on_lower_layers(path):
    part = _part(path)
    for name in _imports(path):
        if not name.startswith("compass_nb."):
            continue
        target = name.removeprefix("compass_nb.")
        if target in ("", part) or target not in LEVEL:
            continue
        assert LEVEL[target] < LEVEL[part], f"{part} imports {target}, which sits above it"


@pytest.mark.parametrize(
    "path", [p for p in SOURCES if _part(p) in DOMAIN], ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_domain_modules_are_pure(path):
    imported = _imports(path)
    assert not imported & NOT_IN_DOMAIN, f"{path.name} imports {imported & NOT_IN_DOMAIN}"


def test_the_rule_catches_an_upward_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from compass_nb import store\nimport matplotlib.pyplot as plt\n")
    assert _imports(probe) == {"compass_nb.store", "matplotlib"}
    assert LEVEL["store"] > LEVEL["calendar"] and LEVEL["sop"] == LEVEL["pipeline"]


def _calls_pandas_to_datetime(path: Path) -> bool:
    return any(
        isinstance(node, ast.Attribute)
        and node.attr == "to_datetime"
        and isinstance(node.value, ast.Name)
        and node.value.id in ("pd", "pandas")
        for node in ast.walk(ast.parse(path.read_text()))
    )


def test_dates_are_read_through_the_calendar_alone():
    # calendar.to_datetime skips pandas' cache for datetimes, seconds of CPU per cycle
    direct = [
        str(path.relative_to(PACKAGE))
        for path in SOURCES
        if path.name != "calendar.py" and _calls_pandas_to_datetime(path)
    ]
    assert direct == []
    assert _calls_pandas_to_datetime(PACKAGE / "calendar.py")  # the check sees a call
