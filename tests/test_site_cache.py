"""The portal's page cache (pipeline/export/site/pagecache.py): on a publication of two plans
(tests/test_plans.py's Miyagi and "Fukushima"), pages taken from the cache are the bytes a run
without cache writes; a changed record or template renders again exactly the plans whose pages
show it; a damaged entry is rebuilt, never used.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.export.description import Records, read_description
from pipeline.export.site import is_site_path, write_site
from pipeline.export.site.pagecache import PageKeys
from pipeline.partcache import CacheStats
from test_plans import FUKUSHIMA, MIYAGI, write_two_plans

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def two_plans(tmp_path_factory, run_cli, source_text) -> Path:
    raw = tmp_path_factory.mktemp("site-cache") / "raw"
    write_two_plans(raw, source_text, source_text.replace("県内の公共機関", "福島県内の公共機関"))
    out = raw.parent / "out"
    result = run_cli("publish", "--raw-dir", raw, "--out-dir", out, "--no-cache")
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def config():
    return load_config(PROJECT_ROOT / "pipeline.toml")


def site_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and is_site_path(p.relative_to(out).as_posix())}


def written(folder: Path, description, cache: Path | None) -> tuple[dict[str, bytes], CacheStats]:
    stats = CacheStats()
    write_site(folder, description, cache, stats)
    return site_files(folder), stats


def plan_pages(files: dict[str, bytes], plan: str) -> dict[str, bytes]:
    return {p: data for p, data in files.items()
            if p.startswith((f"initiatives/{plan}/", f"publishers/{plan}/"))}


def retitled(description, plan: str, identifier: str, title: str):
    """The description with one initiative of one plan titled `title`."""
    records = [{**r, "title": title} if (r["plan_id"], r["id"]) == (plan, identifier) else r
               for r in description.records["initiatives"]]
    return replace(description, records={**description.records, "initiatives": records})


def test_pages_from_the_cache_are_the_pages_written_without_it(two_plans, config, tmp_path):
    folder = tmp_path / "out"
    shutil.copytree(two_plans, folder)
    description = read_description(folder, config)
    plain, stats = written(folder, description, None)
    assert (stats.plans_built, stats.plans_reused) == (0, 0)          # no cache: nothing kept
    cache = tmp_path / "cache"
    cold, stats = written(folder, description, cache)
    assert (stats.plans_built, stats.plans_reused) == (2, 0)
    assert len(list(cache.glob("pages-*.entry"))) == len(list(cache.glob("dataset-page-*.entry"))) == 2
    hit, stats = written(folder, description, cache)
    assert (stats.plans_built, stats.plans_reused) == (0, 2)
    assert len([p for p in plain if p.startswith("initiatives/")]) == 66 + 2 + 1
    assert cold == plain and hit == plain                             # every file, manifest too
    (compiled,) = cache.glob("compiled-templates-*")      # Jinja2's, for this code's version
    assert len(list(compiled.glob("*.cache"))) >= 9       # the page templates and partials


def test_a_changed_record_renders_again_only_its_plans_pages(two_plans, config, tmp_path):
    folder, cache = tmp_path / "out", tmp_path / "cache"
    shutil.copytree(two_plans, folder)
    description = read_description(folder, config)
    before, _ = written(folder, description, cache)
    datasets = {plan: folder / f"datasets/plan-{plan}.html" for plan in (MIYAGI, FUKUSHIMA)}
    inodes = {plan: page.stat().st_ino for plan, page in datasets.items()}
    changed = retitled(description, FUKUSHIMA, "2-1-1", "福島の新しい取組名")
    after, stats = written(folder, changed, cache)
    assert (stats.plans_built, stats.plans_reused) == (1, 1)
    assert plan_pages(after, MIYAGI) == plan_pages(before, MIYAGI)
    # a plan's dataset page too: Miyagi's linked from the cache (the same file), Fukushima's new
    assert datasets[MIYAGI].stat().st_ino == inodes[MIYAGI]
    assert datasets[FUKUSHIMA].stat().st_ino != inodes[FUKUSHIMA]
    assert len(list(cache.glob("dataset-page-*.entry"))) == 2
    page = f"initiatives/{FUKUSHIMA}/2-1-1.html"
    assert "福島の新しい取組名" in after[page].decode() and "福島の新しい取組名" not in before[page].decode()
    assert "福島の新しい取組名" in after[f"publishers/{FUKUSHIMA}/index.html"].decode()
    uncached, _ = written(tmp_path / "out", changed, None)
    assert after == uncached
    assert len(list(cache.glob("pages-*.entry"))) == 2                      # the old entry pruned


def test_worker_processes_write_the_plans_pages_whether_rendered_or_linked_from_the_cache(
        two_plans, config, tmp_path, monkeypatch):
    """66 initiative pages (worker processes from 40 on): all rendered at first, then the
    changed plan's 33 rendered and the other's linked, by the workers both times; the same
    files as without the cache."""
    from pipeline.export.site import writer as site_module
    monkeypatch.setattr(site_module, "PARALLEL_FROM", 40)
    monkeypatch.setattr(site_module, "CHUNK_PAGES", 10)
    if site_module.page_workers(66) < 2:
        pytest.skip("one core: no worker processes")
    pools = []

    process_pool = site_module.process_pool

    def counted_pool(*args, **kwargs):
        pools.append(args)
        return process_pool(*args, **kwargs)

    monkeypatch.setattr(site_module, "process_pool", counted_pool)
    parent, plan_inputs = os.getpid(), PageKeys.plan_inputs

    def computed_once(keys, plan):      # each plan's key in the parent, which the workers inherit
        assert os.getpid() == parent, "a worker computed a plan's key again"
        return plan_inputs(keys, plan)
    monkeypatch.setattr(PageKeys, "plan_inputs", computed_once)
    folder, cache = tmp_path / "out", tmp_path / "cache"
    shutil.copytree(two_plans, folder)
    description = read_description(folder, config)
    written(folder, description, cache)
    assert len(pools) == 1
    changed = retitled(description, FUKUSHIMA, "2-1-1", "福島の新しい取組名")
    after, stats = written(folder, changed, cache)
    assert len(pools) == 2
    assert (stats.plans_built, stats.plans_reused) == (4, 4)        # slices of 10 pages
    shutil.copytree(two_plans, tmp_path / "plain")
    assert after == written(tmp_path / "plain", changed, None)[0]


def test_a_publication_wide_change_renders_every_plan_again(two_plans, config, tmp_path):
    folder, cache = tmp_path / "out", tmp_path / "cache"
    shutil.copytree(two_plans, folder)
    description = read_description(folder, config)
    written(folder, description, cache)
    package = {**description.package, "title": "別の題名のデータ"}
    after, stats = written(folder, replace(description, package=package), cache)
    assert (stats.plans_built, stats.plans_reused) == (2, 0)
    assert "別の題名のデータ" in after[f"initiatives/{MIYAGI}/2-2-5.html"].decode()


def test_a_changed_division_template_renders_every_plan_again(two_plans, tmp_path):
    folder, cache, division = tmp_path / "out", tmp_path / "cache", tmp_path / "division"
    shutil.copytree(two_plans, folder)
    (division / "partials").mkdir(parents=True)
    header = division / "partials" / "header.html"
    (tmp_path / "pipeline.toml").write_text(
        (PROJECT_ROOT / "pipeline.toml").read_text(encoding="utf-8")
        + '\n[site]\ntemplates = "division"\n', encoding="utf-8")
    description = read_description(folder, load_config(tmp_path / "pipeline.toml"))
    for text in ("<header>情報政策課</header>\n", "<header>情報政策課（改）</header>\n"):
        header.write_text(text, encoding="utf-8")
        files, stats = written(folder, description, cache)
        assert (stats.plans_built, stats.plans_reused) == (2, 0)
        assert text in files[f"initiatives/{MIYAGI}/2-2-5.html"].decode()
    files, stats = written(folder, description, cache)
    assert (stats.plans_built, stats.plans_reused) == (0, 2)


def test_with_a_division_template_a_new_publication_version_is_never_stale(two_plans, tmp_path):
    """A division's templates may show the publication's version on a plan's pages: with a
    template folder, that version is part of every plan's key."""
    folder, cache, division = tmp_path / "out", tmp_path / "cache", tmp_path / "division"
    shutil.copytree(two_plans, folder)
    (division / "partials").mkdir(parents=True)
    (division / "partials" / "header.html").write_text(
        "<header>公開版 {{ site.version }}</header>\n", encoding="utf-8")
    (tmp_path / "pipeline.toml").write_text(
        (PROJECT_ROOT / "pipeline.toml").read_text(encoding="utf-8")
        + '\n[site]\ntemplates = "division"\n', encoding="utf-8")
    description = read_description(folder, load_config(tmp_path / "pipeline.toml"))
    written(folder, description, cache)
    newer = replace(description, package={**description.package, "version": "9.9.9"})
    files, stats = written(folder, newer, cache)
    assert (stats.plans_built, stats.plans_reused) == (2, 0)
    assert "公開版 9.9.9" in files[f"initiatives/{MIYAGI}/2-2-5.html"].decode()


def test_a_damaged_entry_is_rebuilt_never_used(two_plans, config, tmp_path):
    folder, cache = tmp_path / "out", tmp_path / "cache"
    shutil.copytree(two_plans, folder)
    description = read_description(folder, config)
    before, _ = written(folder, description, cache)
    for entry in cache.glob("*.entry"):
        entry.write_bytes(entry.read_bytes()[:-100])                  # cut short
    after, stats = written(folder, description, cache)
    assert (stats.plans_built, stats.plans_reused) == (2, 0)
    assert after == before
    assert written(folder, description, cache)[1].plans_reused == 2


def with_compiled_templates(two_plans: Path, config, tmp_path: Path):
    """A copy of the two plans' publication, its portal written without a cache (its files:
    `before`) and then with one, which compiled its templates into `compiled`: (folder,
    description, cache, before, compiled)."""
    folder, cache = tmp_path / "out", tmp_path / "cache"
    shutil.copytree(two_plans, folder)
    description = read_description(folder, config)
    before, _ = written(folder, description, None)
    written(folder, description, cache)
    (compiled,) = cache.glob("compiled-templates-*")
    return folder, description, cache, before, compiled


def test_damaged_compiled_templates_are_compiled_again_never_a_failure(two_plans, config,
                                                                        tmp_path):
    folder, description, cache, before, compiled = with_compiled_templates(two_plans, config,
                                                                           tmp_path)
    damaged = sorted(compiled.glob("*.cache"))
    for path in damaged:
        path.write_bytes(path.read_bytes()[:40])                      # cut short
    for entry in cache.glob("pages-*.entry"):
        entry.unlink()                                                # every page rendered again
    after, stats = written(folder, description, cache)
    assert after == before and stats.plans_built == 2
    assert all(path.stat().st_size > 40 for path in damaged)          # compiled again, kept


def test_a_compiled_template_changed_on_disk_is_compiled_again_never_rendered(two_plans, config,
                                                                            tmp_path):
    """A character of a compiled template's text changed on disk (a bit flipped by the disk, a
    copy's fault): Jinja2 checks only its header, so the pages were rendered with that text and
    published (a cache-corruption campaign found index pages, the catalogue and the CKAN
    metadata differing from a run without cache), or every publish failed from then on
    (`dataset_facts.html:17: template: NameError: name 'exported_vars' is not defined`)."""
    folder, description, cache, before, compiled = with_compiled_templates(two_plans, config,
                                                                           tmp_path)
    changed = 0
    for path in sorted(compiled.glob("*.cache")):
        kept = path.read_bytes()
        text = re.search(rb"[\xe4-\xe9][\x80-\xbe][\x80-\xbe]", kept)   # a kanji of its text
        if text:
            path.write_bytes(kept[:text.end() - 1] + bytes([kept[text.end() - 1] + 1]) +
                             kept[text.end():])                       # the next kanji, as long
            changed += 1
    assert changed >= 5
    for entry in cache.glob("pages-*.entry"):
        entry.unlink()                                                # every page rendered again
    after, stats = written(folder, description, cache)
    assert stats.plans_built == 2 and after == before


def test_the_cache_keeps_links_to_the_pages_and_an_edited_page_is_never_carried(
        two_plans, config, tmp_path):
    """The cache keeps a plan's pages as hard links to the files written (no bytes of its
    own); a page edited in place afterwards (here the published copy, so the cache's link too)
    voids its plan's entry: the next run renders that plan's pages again."""
    folder, cache = tmp_path / "out", tmp_path / "cache"
    shutil.copytree(two_plans, folder)
    description = read_description(folder, config)
    before, _ = written(folder, description, cache)
    page = folder / f"initiatives/{MIYAGI}/2-2-5.html"
    kept = [p for p in cache.glob("*.files/*") if p.samefile(page)]
    assert len(kept) == 1 and page.stat().st_nlink == 2
    with page.open("r+b") as handle:                                  # an edit in place
        handle.seek(200)
        handle.write(b"X")
    after, stats = written(folder, description, cache)
    assert (stats.plans_built, stats.plans_reused) == (1, 1)
    assert after == before and b"X" not in after[f"initiatives/{MIYAGI}/2-2-5.html"][200:201]


def footer_edition(page: bytes) -> str:
    (line,) = [l for l in page.decode().splitlines() if l.startswith('<p class="edition">')]
    return line.split("・<a ")[0].removeprefix('<p class="edition">')


def test_a_plans_pages_keep_its_edition_while_another_plan_changes(tmp_path, run_cli, source_text):
    """The pages of one plan name the plan's edition (plan_editions), the others the
    publication's: republished after only Fukushima's text changed, Miyagi's pages are the
    same bytes, taken from the cache, and still name the first edition."""
    raw, out, cache = tmp_path / "raw", tmp_path / "out", tmp_path / "cache"
    write_two_plans(raw, source_text, source_text)
    publish = ("publish", "--raw-dir", raw, "--out-dir", out, "--cache-dir", cache)
    first = run_cli(*publish, env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert first.returncode == 0, first.stderr
    before = site_files(out)
    (raw / "fukushima.txt").write_text(source_text.replace("県内の公共機関", "福島県内の公共機関"),
                                       encoding="utf-8")
    second = run_cli(*publish, env={"SOURCE_DATE_EPOCH": "1800000000"})
    assert second.returncode == 0, second.stderr
    assert "cache: site: 1 plans' pages rendered, 1 unchanged taken from the cache" in \
        second.stdout + second.stderr
    after = site_files(out)
    assert plan_pages(after, MIYAGI) == plan_pages(before, MIYAGI)
    assert len(plan_pages(after, MIYAGI)) == 33 + 1 + 1 + 3     # initiatives, search index, plan, items
    old = '・最終更新 <time datetime="2023-11-14T22:13:20Z">2023-11-14</time>'
    new = '・最終更新 <time datetime="2027-01-15T08:00:00Z">2027-01-15</time>'
    for path in (f"initiatives/{MIYAGI}/2-1-1.html", f"publishers/{MIYAGI}/index.html",
                 f"datasets/plan-{MIYAGI}.html"):
        assert footer_edition(after[path]) == "この計画のデータ：バージョン 1.0.0" + old, path
    for path in (f"initiatives/{FUKUSHIMA}/2-1-1.html", f"publishers/{FUKUSHIMA}/item-2-1.html"):
        assert footer_edition(before[path]) == "この計画のデータ：バージョン 1.0.0" + old, path
        assert footer_edition(after[path]) == "この計画のデータ：バージョン 1.0.1" + new, path
    for path in ("index.html", "initiatives/index.html", "publishers/index.html"):
        assert footer_edition(after[path]) == "バージョン 1.0.1" + new, path
    # a dataset page states its dataset's edition, as the catalogue does
    row = '<tr><th scope="row">バージョン</th><td>{}</td></tr>'
    assert row.format("1.0.0") in after[f"datasets/plan-{MIYAGI}.html"].decode()
    assert row.format("1.0.1") in after[f"datasets/plan-{FUKUSHIMA}.html"].decode()
    assert row.format("1.0.1") in after["datasets/miyagi-ict-plan-initiatives.html"].decode()


def test_a_plans_pages_from_the_cache_credit_its_own_source(two_plans, config, tmp_path):
    """With many sources a plan's pages credit its own source and the count: the plans' pages
    are reused while nothing they show changes, and what the cache gives is what a run without
    cache writes whatever the order of the sources or the words citing a plan's source."""
    folder, cache = tmp_path / "out", tmp_path / "cache"
    shutil.copytree(two_plans, folder)
    description = read_description(folder, config)
    package = description.package
    extra = [{**package["sources"][0], "file": f"other-{n}.txt", "title": f"別の計画{n}",
              "path": f"other-{n}.txt", "plan_id": f"other-{n}"} for n in range(3)]
    # (a source's page in brackets, where the words cite it: here its file's name)
    sources = [*({**s, "path": s["file"]} for s in package["sources"]), *extra]

    def credited(order: list[dict]):
        words = [f"{s['publisher']}「{s['title']}」（{s['path']}）" for s in order]
        return replace(description, package={**package, "sources": order,
                                             "attribution": f"出典：{'、'.join(words)}を加工して作成"})

    page, item = f"publishers/{MIYAGI}/index.html", f"publishers/{MIYAGI}/item-2-1.html"
    own = "出典：宮城県「みやぎICT推進プラン 分野2」（miyagi.txt）を加工して作成（全5件の出典表記"
    first, stats = written(folder, credited(sources), cache)
    assert (stats.plans_built, stats.plans_reused) == (2, 0)
    assert own in first[page].decode() and own in first[item].decode()
    again, stats = written(folder, credited(sources), cache)
    assert (stats.plans_built, stats.plans_reused) == (0, 2)
    assert again == first
    reordered = credited(sources[::-1])
    again, stats = written(folder, reordered, cache)
    assert own in again[page].decode() and own in again[item].decode()
    assert again == written(tmp_path / "out", reordered, None)[0]
    retitled = credited([{**s, "title": "みやぎICT推進プラン 第2分野"} if s["file"] == "miyagi.txt"
                         else s for s in sources])
    again, stats = written(folder, retitled, cache)
    assert stats.plans_built >= 1
    assert "出典：宮城県「みやぎICT推進プラン 第2分野」（miyagi.txt）を加工して作成" in again[page].decode()
    assert again == written(tmp_path / "out", retitled, None)[0]


def test_a_plan_without_initiatives_gets_its_dataset_page_with_a_cache_as_without(
        two_plans, config, tmp_path):
    """A plan whose records hold no initiative has no pages of its own, but its dataset (its
    slices hold the header alone) has its page: the same with a cache as without."""
    folder, cache = tmp_path / "out", tmp_path / "cache"
    shutil.copytree(two_plans, folder)
    description = read_description(folder, config)
    records = {table: [r for r in rows if r.get("plan_id") != FUKUSHIMA]
               for table, rows in description.records.items()}
    empty = replace(description, records=records)
    plain, _ = written(folder, empty, None)
    assert f"datasets/plan-{FUKUSHIMA}.html" in plain
    assert not plan_pages(plain, FUKUSHIMA) and plan_pages(plain, MIYAGI)
    for _ in range(2):                                          # the cache filled, then used
        assert written(folder, empty, cache)[0] == plain


def test_a_republish_converts_the_records_of_the_plans_it_renders_and_of_the_lists(
        two_plans, config, tmp_path):
    """The tables the portal lists whole (initiatives, references, sites) are converted whole;
    the others only plan by plan as the plans' pages are rendered: after a change to Miyagi's
    initiative, Miyagi's schedules, indicators and terms, and nothing of Fukushima's."""
    folder, cache = tmp_path / "out", tmp_path / "cache"
    shutil.copytree(two_plans, folder)
    description = read_description(folder, config)
    converted = []

    def counted(rows):
        converted.append(len(rows))
        return list(rows)

    def write(description):         # (digests as publish has them: made from its rows)
        converted.clear()
        write_site(folder, replace(description, records=Records(dict(description.records), counted),
                                   row_digests=description.plan_digests), cache)
        return sorted(converted)

    tables = dict(description.records)
    whole = [len(tables[t]) for t in ("initiatives", "references", "sites")]
    of_plan = {plan: [sum(r["plan_id"] == plan for r in tables[t])
                      for t in ("indicators", "schedules", "terms")] for plan in (MIYAGI, FUKUSHIMA)}
    assert all(of_plan[FUKUSHIMA]) and all(of_plan[MIYAGI])
    assert write(description) == sorted(whole + of_plan[MIYAGI] + of_plan[FUKUSHIMA])
    assert write(retitled(description, MIYAGI, "2-1-1", "改めた取組名")) == \
        sorted(whole + of_plan[MIYAGI])
