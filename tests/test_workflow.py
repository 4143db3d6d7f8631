"""The scheduled workflow: weekly and manual, fetch -> publish -> validate, artifact kept."""

import re
import tomllib
from importlib import metadata
from pathlib import Path

import yaml

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "publish.yml"


def test_scheduled_workflow_fetches_publishes_validates_and_keeps_the_artifact():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow[True] if True in workflow else workflow["on"]     # YAML 1.1 reads `on` as True
    assert triggers["schedule"][0]["cron"].split()[4] == "1"             # weekly, on Mondays
    assert "workflow_dispatch" in triggers
    steps = workflow["jobs"]["publish"]["steps"]
    commands = [step["run"] for step in steps if "run" in step]
    # a new edition dated when the run made it, not by the last commit (a fresh-eyes review:
    # an edition of newly fetched sources had the date of the one before)
    assert commands == ["make fetch", "SOURCE_DATE_EPOCH=$(date +%s) make publish", "make validate"]
    uploads = [step for step in steps if step.get("uses", "").startswith("actions/upload-artifact")]
    assert uploads and uploads[0]["with"]["path"] == "data/published"
    assert workflow["concurrency"]["cancel-in-progress"] is False


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_dependency_is_installed_at_the_version_constraints_txt_pins():
    """`make setup` installs with `-c constraints.txt`: a fresh clone (a division's weekly
    run, CI) gets the versions the tests passed with, not whatever was released since (a new
    pyarrow, rdflib or pySHACL could change the files or stop the publish). Every dependency
    of pyproject.toml, the tests' too, is pinned there, and this environment holds those
    versions."""
    root = WORKFLOW.parents[2]
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = dict(line.split("==") for line in (root / "constraints.txt").read_text(
        encoding="utf-8").splitlines() if line and not line.startswith("#"))
    pins = {_canonical(name): version for name, version in pins.items()}
    direct = [_canonical(re.match(r"[A-Za-z0-9_.-]+", requirement)[0])
              for requirement in project["dependencies"] + project["optional-dependencies"]["test"]]
    assert [name for name in direct if name not in pins] == []
    assert {name: metadata.version(name) for name in direct} == {name: pins[name] for name in direct}
    # the others as pinned where this Python installs them (pySHACL needs importlib-metadata,
    # and so zipp, only below Python 3.12: pinned, as `make constraints` runs on 3.11)
    installed = {name: _installed(name) for name in pins}
    assert {name: version for name, version in installed.items() if version is not None} == \
        {name: pins[name] for name, version in installed.items() if version is not None}


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
    assert "-c constraints.txt" in (root / "Makefile").read_text(encoding="utf-8")
