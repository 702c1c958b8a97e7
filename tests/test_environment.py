"""environment.yml lists exactly the dependencies of pyproject.toml, with the same pins."""

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _pyproject_pins() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = set(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        pins |= set(extra)
    return pins


def _environment_pins() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    return {item for item in pip if not item.startswith("-e")}


def test_environment_yml_pins_the_same_packages_as_pyproject():
    assert _environment_pins() == _pyproject_pins()


def test_every_dependency_is_pinned_to_one_version():
    assert all("==" in pin for pin in _pyproject_pins())
