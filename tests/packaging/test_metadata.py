"""What each plugin's pyproject.toml promises: licence, classifiers, keywords, dependencies."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import connector_kit
import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from trove_classifiers import classifiers as known_classifiers

from tests.packaging.builds import PLUGINS, REPO, pyproject

PYTHON_PREFIX = "Programming Language :: Python :: 3."


@pytest.mark.parametrize("plugin", PLUGINS)
def test_classifiers_exist_and_name_only_supported_pythons(plugin):
    project = pyproject(plugin)["project"]
    unknown = set(project["classifiers"]) - known_classifiers
    assert not unknown, f"not in the trove list: {unknown}"
    assert "License :: OSI Approved :: Apache Software License" in project["classifiers"]
    supported = SpecifierSet(project["requires-python"])
    pythons = [c.removeprefix("Programming Language :: Python :: ") for c in project["classifiers"]]
    for version in (p for p in pythons if p.startswith("3.")):
        assert version in supported, f"{version} is classified but outside {supported}"
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert here in supported, f"the suite runs on {here}, which requires-python excludes"


@pytest.mark.parametrize("plugin", PLUGINS)
def test_licence_keywords_and_no_unpublished_dependency(plugin):
    project = pyproject(plugin)["project"]
    assert project["license"] == "Apache-2.0"
    assert (REPO / plugin / "LICENSE").read_bytes() == (REPO / "LICENSE").read_bytes()
    assert {"meltano_sdk", "singer"} <= set(project["keywords"])
    names = {Requirement(r).name for r in project["dependencies"]}
    published = {"singer-sdk", "requests", "msgspec", "typing-extensions"}
    if plugin == "target-tracksale":
        published.add("psycopg")  # its PostgreSQL ledger
    assert names == published, names
    for requirement in map(Requirement, project["dependencies"]):
        assert requirement.specifier, f"{requirement.name}: a lower bound, please"


def test_connector_kit_is_no_distribution_and_each_plugin_links_the_one_copy():
    assert not (REPO / "connector-kit" / "pyproject.toml").exists()
    shared = (REPO / "connector-kit" / "connector_kit").resolve()
    for plugin in PLUGINS:
        link = REPO / plugin / "connector_kit"
        assert link.is_symlink(), f"{link} must link to connector-kit/connector_kit"
        assert link.resolve() == shared


def test_dev_environment_imports_the_live_connector_kit():
    live = (REPO / "connector-kit" / "connector_kit" / "__init__.py").resolve()
    assert Path(connector_kit.__file__).resolve() == live


def test_plugin_definitions_match_meltano_yml():
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "plugin_definitions.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize("plugin", PLUGINS)
def test_changelog_has_an_entry_for_each_plugin_version(plugin):
    changelog = (REPO / "CHANGELOG.md").read_text()
    assert f"\n## {plugin}\n" in changelog, f"CHANGELOG.md has no section for {plugin}"
    section = changelog.split(f"\n## {plugin}\n", 1)[1].split("\n## ", 1)[0]
    version = pyproject(plugin)["project"]["version"]
    assert re.search(rf"^### {re.escape(version)} - \d{{4}}-\d{{2}}-\d{{2}}$", section, re.M), (
        f"CHANGELOG.md: no entry '### {version} - <date>' under {plugin}"
    )
