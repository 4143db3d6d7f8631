"""The scheduled workflow: weekly and manual, fetch -> publish -> validate, artifact kept."""

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
