"""The read-only JSON/SQL API: a real Datasette server (`python -m pipeline api`, as `make api`
runs it) on a free port of 127.0.0.1, serving the real source's publication.

The five example requests of the README's "API" section answer with the expected rows and the
licence; SQL that writes is refused and the database file stays byte for byte the same.
Without Datasette the tests are skipped, except in CI (REQUIRE_DATASETTE=1, set by .ci/run),
where a missing Datasette is a failure.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from httpserver import free_port, stop_process

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "miyagi-ict-plan"
LICENSE_TITLE = "クリエイティブ・コモンズ 表示 4.0 国際"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
# The README's examples (path and query parameters; the README shows them with curl).
FILTER = (f"/{DATABASE}/indicators.json", {"initiative_id": "2-2-5", "_shape": "objects"})
FACET = (f"/{DATABASE}/initiatives.json", {"_facet": "department", "_size": "0"})
SEARCH = (f"/{DATABASE}/initiatives.json", {"_search": "クラウド", "_col": "title", "_shape": "objects"})
JOIN_SQL = ("select i.id, i.title, x.name, x.baseline_value, x.target_value "
            "from indicators x join initiatives i "
            "on i.plan_id = x.plan_id and i.id = x.initiative_id "
            "order by x.plan_id, x.initiative_id, x.seq")
JOIN = (f"/{DATABASE}.json", {"sql": JOIN_SQL, "_shape": "objects"})
CSV_EXPORT = (f"/{DATABASE}/schedules.csv", {"initiative_id": "2-2-5"})
WRITES = ("insert into metadata (key, value) values ('x', 'y')",
          "update indicators set target_value = 0",
          "drop table indicators",
          "delete from initiatives")

if importlib.util.find_spec("datasette") is None:
    if os.environ.get("REQUIRE_DATASETTE"):
        raise RuntimeError("the API tests need Datasette (a dependency in pyproject.toml)")
    pytestmark = pytest.mark.skip(reason="datasette not installed")



class Api:
    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.session = requests.Session()
        self.session.trust_env = False      # never through a proxy of the environment

    def get(self, path: str, params: dict | None = None) -> requests.Response:
        return self.session.get(self.base + path, params=params, timeout=30)


@pytest.fixture(scope="module")
def api(published: Path, tmp_path_factory):
    log_path = tmp_path_factory.mktemp("datasette") / "datasette.log"
    with log_path.open("w+b") as log:
        for _ in range(3):     # a free port can be taken between the check and the bind
            server = Api(free_port())
            process = subprocess.Popen(
                [sys.executable, "-m", "pipeline", "api", "--out-dir", str(published),
                 "--port", server.base.rsplit(":", 1)[1]],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            deadline = time.monotonic() + 60
            while process.poll() is None and time.monotonic() < deadline:
                try:
                    if server.get("/-/versions.json").status_code == 200:
                        break
                except requests.RequestException:
                    time.sleep(0.2)
            if process.poll() is None:
                break
        if process.poll() is not None or time.monotonic() >= deadline:
            process.kill()
            log.seek(0)
            pytest.fail(f"datasette did not start: {log.read().decode(errors='replace')[-800:]}")
        try:
            yield server
        finally:
            server.session.close()
            stop_process(process)


def records(published: Path, table: str) -> list[dict]:
    return json.loads((published / f"{table}.json").read_text(encoding="utf-8"))["records"]


def shows_licence(document: dict) -> None:
    assert document["license"] == LICENSE_TITLE and document["license_url"] == LICENSE_URL
    assert document["source"].startswith("出典：宮城県「みやぎICT推進プラン(2014～2016)")


def test_readme_documents_the_five_requests():
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## API", 1)[1].split("\n## ", 1)[0]
    for path, params in (FILTER, FACET, SEARCH, JOIN, CSV_EXPORT):
        assert path in section
        for value in params.values():
            assert value in section, value
    assert "make api" in section


def test_filter_gives_the_indicator_of_2_2_5(api):
    response = api.get(*FILTER)
    assert response.status_code == 200
    document = response.json()
    assert [(r["name"], r["baseline_value"], r["target_value"], r["baseline_date"])
            for r in document["rows"]] == [("電子申請利用率(県)", 38.25, 43, "2012-03-31")]
    shows_licence(document)


def test_facet_counts_initiatives_per_department(api, published):
    document = api.get(*FACET).json()
    counts = {r["value"]: r["count"] for r in document["facet_results"]["department"]["results"]}
    expected: dict[str, int] = {}
    for record in records(published, "initiatives"):
        expected[record["department"]] = expected.get(record["department"], 0) + 1
    assert counts == expected and counts["震災復興・企画部"] == 20
    shows_licence(document)


def test_full_text_search_finds_the_cloud_initiative(api):
    document = api.get(*SEARCH).json()
    assert document["rows"] == [{"plan_id": "miyagi-ict-plan-2014-2016", "id": "2-3-3",
                                 "title": "市町村業務システムの共同クラウド化の推進"}]
    shows_licence(document)


def test_sql_join_of_indicators_and_initiatives(api, published):
    document = api.get(*JOIN).json()
    rows = document["rows"]
    assert len(rows) == len(records(published, "indicators")) == 6
    assert {"id": "2-2-5", "title": "電子申請オンライン利用の促進", "name": "電子申請利用率(県)",
            "baseline_value": 38.25, "target_value": 43} in rows
    shows_licence(document)


def test_csv_export_of_a_filtered_table(api):
    response = api.get(*CSV_EXPORT)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] in ("text/plain", "text/csv")
    lines = response.text.splitlines()
    assert lines[0] == "plan_id,initiative_id,period,fiscal_year,phase,raw,source,source_lines"
    assert [line.split(",")[2:6] for line in lines[1:]] == [
        ["H26", "2014", "運用・利用促進", "運用・利用促進"], ["H27", "2015", "運用・利用促進", "→"],
        ["H28", "2016", "運用・利用促進", "→"]]


def test_table_pages_show_titles_and_licence(api):
    page = api.get(f"/{DATABASE}/indicators").text
    assert "指標" in page and LICENSE_URL in page and "現状値（数値）" in page


def test_sql_that_writes_is_refused(api, published):
    database = published / f"{DATABASE}.sqlite"
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    for sql in WRITES:
        response = api.get(f"/{DATABASE}.json", {"sql": sql})
        assert response.status_code == 400, sql
        assert response.json()["ok"] is False
    count = api.get(f"/{DATABASE}.json", {"sql": "select count(*) as n from indicators",
                                         "_shape": "array"}).json()
    assert count == [{"n": 6}]
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before


def test_posting_rows_is_refused(api):
    """Datasette 0.65 has no write API: a POST to a table or to 1.0's `/-/insert` path fails
    (with its own error status) and writes nothing."""
    for path in (f"/{DATABASE}/metadata/-/insert", f"/{DATABASE}/metadata"):
        response = api.session.post(api.base + path, json={"row": {"key": "x", "value": "y"}},
                                    timeout=30)
        assert response.status_code >= 400, path
    keys = api.get(f"/{DATABASE}.json", {"sql": "select key from metadata where key = 'x'",
                                        "_shape": "array"}).json()
    assert keys == []


def test_dataset_pages_link_the_api_only_when_its_url_is_configured(published, run_cli, tmp_path):
    row = '<th scope="row">API</th>'
    assert row not in (published / "datasets" / "miyagi-ict-plan-indicators.html").read_text(encoding="utf-8")
    config = tmp_path / "pipeline.toml"
    config.write_text((ROOT / "pipeline.toml").read_text(encoding="utf-8").replace(
        'api_url = ""', 'api_url = "https://api.example.org/"'), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("--config", config, "publish", "--out-dir", out)
    assert result.returncode == 0, result.stderr
    page = (out / "datasets" / "miyagi-ict-plan-indicators.html").read_text(encoding="utf-8")
    assert row in page
    for suffix in ("", ".json", ".csv"):
        assert f'href="https://api.example.org/miyagi-ict-plan/indicators{suffix}"' in page


def test_the_databases_source_links_a_page_only_when_every_source_is_on_it(published):
    """With a second plan (another authority's page) Datasette's `source` credited both plans
    and its `source_url` linked the first one's page alone."""
    from pipeline.export.datasette import datasette_metadata
    package = json.loads((published / "datapackage.json").read_text(encoding="utf-8"))
    page = package["sources"][0]["path"]
    assert datasette_metadata("x.sqlite", {}, package)["source_url"] == page
    other = {**package["sources"][0], "path": "https://www.pref.fukushima.lg.jp/plan.html"}
    described = datasette_metadata("x.sqlite", {}, {**package, "sources": [package["sources"][0], other]})
    assert "source_url" not in described and described["source"] == package["attribution"]
