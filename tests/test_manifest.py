"""sources.toml is checked strictly: one error naming the entry and the key; and files beside
the text that are not read are named."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from pipeline.cli import main
from test_settings import denied
from pipeline.config import load_config
from pipeline.errors import ConfigError, SourceError
from pipeline.sources import find_sources, ignored_files, load_manifest, read_sources

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE_LINE = next(number for number, line in enumerate(
    (ROOT / "pipeline.toml").read_text(encoding="utf-8").splitlines(), 1)
    if line == "[publication.default_source]")
ENTRY = """[[source]]
file = "plan.txt"
title = "みやぎICT推進プラン(2014～2016) 分野2 行政の情報化"
title_en = "Miyagi ICT Promotion Plan"
plan_id = "miyagi-ict-plan-2014-2016"
plan_title = "みやぎICT推進プラン(2014～2016)"
publisher = "宮城県"
publisher_en = "Miyagi Prefecture"
publisher_code = "040002"
page = "https://www.pref.miyagi.jp/soshiki/jyoho/indexictplan2014.html"
url = "https://example.org/plan.txt"
period_start_fy = 2014
period_end_fy = 2016
license = "CC-BY-4.0"
"""

WITH_ENGLISH_TITLE = ENTRY.replace('publisher = "宮城県"\n', 'plan_title_en = "Miyagi ICT Promotion '
                                   'Plan (2014-2016)"\npublisher = "宮城県"\n')


def raw_with(tmp_path: Path, manifest: str, source_text: str = "text") -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "plan.txt").write_text(source_text, encoding="utf-8")
    (raw / "sources.toml").write_text(manifest, encoding="utf-8")
    return raw


def test_every_documented_key_is_accepted(tmp_path):
    meta = load_manifest(raw_with(tmp_path, ENTRY))["plan.txt"]
    assert (meta.plan_id, meta.publisher_code, meta.period_start_fy, meta.period_end_fy) == \
        ("miyagi-ict-plan-2014-2016", "040002", 2014, 2016)


@pytest.mark.parametrize("change,line,message", [
    (("period_end_fy = 2016", "period_end_fy = 99999"),
     13, "[[source]] entry 1 (plan.txt): period_end_fy: 99999 is not a fiscal year between 1900 and 2200"),
    (("period_end_fy = 2016", "period_end_fy = 2013"),
     13, "[[source]] entry 1 (plan.txt): period_end_fy: 2013 is before period_start_fy 2014"),
    (("period_start_fy = 2014\n", ""),
     1, "[[source]] entry 1 (plan.txt): period_start_fy: missing: a period needs both "
     "period_start_fy and period_end_fy"),
    (("period_start_fy = 2014", 'period_start_fy = "2014"'),
     12, "[[source]] entry 1 (plan.txt): period_start_fy: must be a fiscal year as a number (2014), not '2014'"),
    (("period_end_fy = 2016", "period_end_fy = 2016-04-01"),        # (a date: not Python's words)
     13, "[[source]] entry 1 (plan.txt): period_end_fy: must be a fiscal year as a number (2014), not 2016-04-01"),
    (("publisher_code = \"040002\"", "publisher_code = 40002"),
     9, "[[source]] entry 1 (plan.txt): publisher_code: must be a string, not int"),
    (("publisher_code = \"040002\"", 'publisher_code = "040 002"'),    # once: RDF inconsistent
     9, "[[source]] entry 1 (plan.txt): publisher_code: '040 002' is not a 全国地方公共団体コード"),
    (("publisher_code = \"040002\"", 'publisher_code = "040003"'),     # a wrong check digit
     9, "[[source]] entry 1 (plan.txt): publisher_code: '040003' is not a 全国地方公共団体コード"),
    (("publisher_code = \"040002\"", 'publisher_code = "040002"\npublisher_bbox = [141.7, 37.7, 140.2, 39.0]'),
     10, "[[source]] entry 1 (plan.txt): publisher_bbox: [141.7, 37.7, 140.2, 39.0] is no box: west < east"),
    (("publisher_code = \"040002\"", 'publisher_code = "040002"\npublisher_bbox = "140.2 37.7 141.7 39.0"'),
     10, "[[source]] entry 1 (plan.txt): publisher_bbox: needs four numbers: west, south, east, north"),
    (('plan_id = "miyagi-ict-plan-2014-2016"', 'plan_id = "a.."'),      # once: unsafe paths
     5, "[[source]] entry 1 (plan.txt): plan_id: 'a..' must be ASCII letters"),
    (('plan_id = "miyagi-ict-plan-2014-2016"', 'plan_id = "' + "p" * 101 + '"'),  # a file name
     5, "[[source]] entry 1 (plan.txt): plan_id: '" + "p" * 101 + "' must be ASCII letters"),
    (("page = \"https://www.pref.miyagi.jp/soshiki/jyoho/indexictplan2014.html\"", 'page = "www.pref.miyagi.jp"'),
     10, "[[source]] entry 1 (plan.txt): page: 'www.pref.miyagi.jp' is not an http(s) URL"),
    (("url = \"https://example.org/plan.txt\"", 'url = "file:///etc/passwd"'),
     11, "[[source]] entry 1 (plan.txt): url: 'file:///etc/passwd' is not an http(s) URL"),
    (("url = \"https://example.org/plan.txt\"", 'url = "http://[::1/x"'),   # once: ValueError
     11, "[[source]] entry 1 (plan.txt): url: 'http://[::1/x' is not an http(s) URL"),
    (('file = "plan.txt"', 'file = "../plan.txt"'),
     2, "[[source]] entry 1 (../plan.txt): file: '../plan.txt' is not a file name in the raw folder"),
    (('license = "CC-BY-4.0"', 'license = "CC-BY-4.0"\nlicence = "CC-BY-4.0"'),
     15, "[[source]] entry 1 (plan.txt): licence: unknown key (known: file, license,"),
])
def test_a_bad_entry_is_one_error_naming_entry_and_key(tmp_path, change, line, message):
    """The line is the key's (the entry's header for a key missing): a fresh-eyes review found
    these errors named no line, though the file's text shows where each key is."""
    raw = raw_with(tmp_path, ENTRY.replace(*change))
    with pytest.raises(ConfigError) as error:
        load_manifest(raw)
    assert str(error.value).startswith(f"{raw / 'sources.toml'}:{line}: {message}")


def test_an_entry_naming_its_file_with_other_code_points_says_so(tmp_path):
    """A manifest written on one machine names プラン第2分野.txt with プ composed (NFC); the
    file copied from a Mac has it decomposed (フ and a combining mark, NFD). The same name to
    the eye, no such file to the system: the error says which file it is like, renaming
    nothing."""
    composed = "プラン第2分野.txt"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    raw = raw_with(tmp_path, ENTRY.replace('file = "plan.txt"', f'file = "{composed}"'))
    (raw / decomposed).write_text("text", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        read_sources(raw, load_config(ROOT / "pipeline.toml"))
    assert str(error.value) == (
        f"{raw / 'sources.toml'}:2: [[source]] entry 1 ({composed}): file: no such file in {raw}; "
        f"{decomposed!r} there is the same name written with other Unicode code points (as a Mac "
        "writes names): rename the file or the entry")


@pytest.mark.parametrize("make", [lambda path: path.mkdir(),
                                  lambda path: path.symlink_to(path.parent / "gone.txt")],
                         ids=["a folder", "a broken link"])
def test_an_entry_naming_no_regular_file_says_so(tmp_path, make):
    """The entry's file a folder or a link to nothing was said to be `no such file …;
    'plan.txt' there is the same name written with other Unicode code points`: the same name,
    written with the same ones."""
    raw = raw_with(tmp_path, ENTRY)
    (raw / "plan.txt").unlink()
    make(raw / "plan.txt")
    with pytest.raises(ConfigError) as error:
        read_sources(raw, load_config(ROOT / "pipeline.toml"))
    assert str(error.value) == (
        f"{raw / 'sources.toml'}:2: [[source]] entry 1 (plan.txt): file: not a regular file (a "
        f"folder, a device or a broken link) in {raw}")


def test_duplicate_entries_are_refused(tmp_path):
    raw = raw_with(tmp_path, ENTRY + "\n" + ENTRY)
    with pytest.raises(ConfigError, match=r"entry 2 \(plan.txt\): file: listed twice$"):
        load_manifest(raw)


def test_an_entry_for_a_missing_file_or_an_unknown_licence_is_refused_by_a_publish(tmp_path):
    raw = raw_with(tmp_path, ENTRY.replace('file = "plan.txt"', 'file = "plan-2.txt"'))
    with pytest.raises(ConfigError, match=r"entry 1 \(plan-2.txt\): file: no such file in "):
        read_sources(raw, load_config(ROOT / "pipeline.toml"))
    (raw / "sources.toml").write_text(ENTRY.replace('"CC-BY-4.0"', '"CC-BY-9.9"'), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"entry 1 \(plan.txt\): license: unknown licence id 'CC-BY-9.9' "):
        read_sources(raw, load_config(ROOT / "pipeline.toml"))


@pytest.mark.parametrize("drop, path", [
    ((), "https://www.pref.miyagi.jp/soshiki/jyoho/indexictplan2014.html"),
    (("page",), "https://example.org/plan.txt"), (("page", "url"), None)])
def test_a_sources_path_in_datapackage_json_is_its_page_or_url_or_none(tmp_path, drop, path):
    """An entry without page or url had its raw file's bare name as `path` (plan.txt): a
    relative path names a file of the package, and none such is published. `file` names it."""
    from pipeline.export.datapackage import source_descriptor
    entry = "".join(line for line in ENTRY.splitlines(keepends=True)
                    if line.split(" = ")[0] not in drop)
    (source,) = read_sources(raw_with(tmp_path, entry), load_config(ROOT / "pipeline.toml"))
    described = source_descriptor(source)
    assert (described.get("path"), described["file"]) == (path, "plan.txt")
    assert ("path" in described) is (path is not None)
    assert described["title"] == "みやぎICT推進プラン(2014～2016) 分野2 行政の情報化"


@pytest.mark.parametrize("manifest", ["folder", "period"])
def test_the_command_line_prints_one_line_and_publishes_nothing(tmp_path, source_text, capsys, manifest):
    raw = raw_with(tmp_path, ENTRY.replace("period_end_fy = 2016", "period_end_fy = 99999"), source_text)
    if manifest == "folder":
        (raw / "sources.toml").unlink()
        (raw / "sources.toml").mkdir()
    out = tmp_path / "out"
    status = main(["--config", str(ROOT / "pipeline.toml"), "publish", "--raw-dir", str(raw),
                   "--out-dir", str(out), "--no-cache"])
    stderr = capsys.readouterr().err
    assert status == 1 and "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    expected = "is not a file: the manifest must be a TOML file" if manifest == "folder" else \
        "period_end_fy: 99999 is not a fiscal year"
    assert len(errors) == 1 and expected in errors[0] and str(raw / "sources.toml") in errors[0]
    assert not out.exists()


def test_files_that_are_not_read_are_named(tmp_path, source_text, capsys):
    raw = raw_with(tmp_path, ENTRY, source_text)
    for name in ("plan.pdf", "plan.docx", "notes.md"):
        (raw / name).write_bytes(b"x")
    (raw / "sources.lock.json").write_text("{}", encoding="utf-8")
    assert ignored_files(raw) == [
        f"{raw / 'notes.md'}: not a .txt file; not read",
        f"{raw / 'plan.docx'}: Word is not read; convert it to text first (see README)",
        f"{raw / 'plan.pdf'}: PDF is not read; convert it to text first (see README)",
    ]
    status = main(["--config", str(ROOT / "pipeline.toml"), "publish", "--raw-dir", str(raw),
                   "--out-dir", str(tmp_path / "out"), "--no-cache"])
    stderr = capsys.readouterr().err
    assert status == 0
    assert f"warning: {raw / 'plan.pdf'}: PDF is not read; convert it to text first (see README)" in stderr


def test_the_default_source_of_pipeline_toml_follows_the_same_rules(tmp_path):
    from dataclasses import replace

    raw = raw_with(tmp_path, ENTRY)
    config = replace(load_config(ROOT / "pipeline.toml"), default_source={"period_start_fy": 2014,
                                                                          "period_end_fy": 99999})
    with pytest.raises(ConfigError) as error:
        read_sources(raw, config)
    # the key is not in the file (the settings changed here): the line of the table's header
    assert str(error.value) == (f"{ROOT / 'pipeline.toml'}:{DEFAULT_SOURCE_LINE}: "
                                "[publication.default_source]: "
                                "period_end_fy: 99999 is not a fiscal year between 1900 and 2200")


def test_the_default_source_is_checked_where_its_settings_file_is_read(tmp_path):
    """An error in [publication.default_source] names the settings file it is in (--config),
    and its licence must be known, as an entry's must."""
    settings = tmp_path / "other.toml"
    settings.write_text('[publication]\npublisher = "宮城県"\n[publication.default_source]\n'
                        'plan_id = 7\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(settings)
    assert str(error.value) == f"{settings}:4: [publication.default_source]: plan_id: must be a " \
                               "string, not int"
    settings.write_text('[publication]\npublisher = "宮城県"\n[publication.default_source]\n'
                        'license = "ZZZ"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"other.toml:4: \[publication.default_source\]: license: "
                                          r"unknown licence id 'ZZZ'"):
        read_sources(raw_with(tmp_path, ENTRY.replace('license = "CC-BY-4.0"\n', "")),
                     load_config(settings))


@pytest.mark.parametrize("key,value,problem", [
    ("plan_id", '"miyagi\\n"', "must be ASCII letters"),                # no line end after it
    ("page", '"https://www.pref.miyagi.jp/a\\nb"', "is not an http(s) URL"),
    ("page", '"https://www.pref.miyagi.jp/a<b>{c}"', "is not an http(s) URL"),
    # each once failed the publish's RDF with a parser's message naming the new edition: no IRI
    ("page", '"https://www.pref.miyagi.jp/%zz/index.html"', "is not an http(s) URL"),
    ("page", '"https://www.pref.miyagi.jp/a[1]/index.html"', "is not an http(s) URL"),
    # once published as given, a NUL in the portal's pages
    ("plan_title", '"みやぎ\\u0000ICT"', "holds a control character or noncharacter (U+FFFE, U+FFFF), which no XML"),
    ("publisher_en", '"Miyagi\\u0007"', "holds a control character"),
    # each once published as given, and rdf/graph.rdf was no XML (an XML parser stopped at it)
    ("plan_title", '"みやぎICT推進プラン\\uFFFF"', "holds a control character or noncharacter"),
    ("title", '"分野\\uFFFE2"', "holds a control character or noncharacter"),
])
def test_an_entry_value_that_would_break_a_uri_is_refused_with_its_key(tmp_path, key, value, problem):
    manifest = "\n".join(f"{key} = {value}" if line.startswith(f"{key} =") else line
                         for line in WITH_ENGLISH_TITLE.splitlines())
    with pytest.raises(ConfigError) as error:
        load_manifest(raw_with(tmp_path, manifest))
    assert f"[[source]] entry 1 (plan.txt): {key}: " in str(error.value)
    assert problem in str(error.value)


def test_two_plan_ids_that_differ_only_in_case_are_refused(tmp_path, source_text):
    raw = raw_with(tmp_path, ENTRY.replace("miyagi-ict-plan-2014-2016", "p1"), source_text)
    (raw / "second.txt").write_text(source_text, encoding="utf-8")
    (raw / "sources.toml").write_text(ENTRY.replace("miyagi-ict-plan-2014-2016", "p1") + "\n" + ENTRY
                                      .replace("miyagi-ict-plan-2014-2016", "P1")
                                      .replace('file = "plan.txt"', 'file = "second.txt"'),
                                      encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        read_sources(raw, load_config(ROOT / "pipeline.toml"))
    assert str(error.value) == (f"{raw / 'sources.toml'}:20: plan_id: 'p1' (plan.txt) and 'P1' "
                                "(second.txt) differ only in case; give them one id, or two that "
                                "differ in more than case")


@pytest.mark.parametrize("first,second,name", [
    ("p.1", "p-1", "plan-p-1"),
    ("a" * 98 + "x1", "a" * 98 + "x2", "plan-" + "a" * 95),
])
def test_two_plan_ids_that_give_one_dataset_name_are_refused(tmp_path, source_text, first,
                                                             second, name):
    """Each once failed the publish after its export with `ckan/plan-p-1.json belongs to both
    metadata and metadata`, naming neither the ids nor the manifest."""
    raw = raw_with(tmp_path, ENTRY.replace("miyagi-ict-plan-2014-2016", first), source_text)
    (raw / "second.txt").write_text(source_text, encoding="utf-8")
    (raw / "sources.toml").write_text(ENTRY.replace("miyagi-ict-plan-2014-2016", first) + "\n"
                                      + ENTRY.replace("miyagi-ict-plan-2014-2016", second)
                                      .replace('file = "plan.txt"', 'file = "second.txt"'),
                                      encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        read_sources(raw, load_config(ROOT / "pipeline.toml"))
    assert str(error.value) == (f"{raw / 'sources.toml'}:20: plan_id: {first!r} (plan.txt) and "
                                f"{second!r} (second.txt) give their datasets one name, {name}; "
                                "give them one id, or two that differ in more than '.', '-' "
                                "and case within 95 characters")


def test_a_raw_folder_that_cannot_be_listed_or_is_a_file_is_named(tmp_path, monkeypatch):
    """Each once stopped the publish as `read stage failed: PermissionError …`, or as a raw
    folder that `does not exist`."""
    raw = raw_with(tmp_path, ENTRY)
    with pytest.raises(SourceError) as error:
        find_sources(raw / "plan.txt")
    assert str(error.value) == (f"{raw / 'plan.txt'}: is not a folder: give the folder of the "
                                ".txt files as --raw-dir")
    monkeypatch.setattr(Path, "iterdir", denied)
    with pytest.raises(SourceError) as error:
        find_sources(raw)
    assert str(error.value) == f"{raw}: cannot list the raw folder: Permission denied"


def test_a_txt_entry_that_is_not_a_regular_file_is_named(tmp_path):
    raw = raw_with(tmp_path, ENTRY)
    (raw / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    (raw / "folder.txt").mkdir()
    os.mkfifo(raw / "pipe.txt")
    assert ignored_files(raw) == [
        f"{raw / name}: not a regular file (a folder, a device or a broken link); not read"
        for name in ("broken.txt", "folder.txt", "pipe.txt")]


def test_a_manifest_that_is_a_broken_link_is_an_error_not_no_manifest(tmp_path):
    """Read as no manifest, it once published every file as a plan named after the file, with
    the default publisher and no period: every URI of the publication changed, exit 0."""
    raw = raw_with(tmp_path, ENTRY)
    (raw / "sources.toml").unlink()
    (raw / "sources.toml").symlink_to(tmp_path / "moved" / "sources.toml")
    with pytest.raises(ConfigError) as error:
        load_manifest(raw)
    assert str(error.value) == (f"{raw / 'sources.toml'}: is a broken link: the manifest it "
                                "points to is missing")


def test_an_error_names_the_line_of_its_key_in_its_own_entry(tmp_path):
    """The second entry's key, past a multi-line string whose text looks like a key and a
    header, and a key written quoted; an entry written as an inline table has no line to name."""
    manifest = ('[[source]]  # the first\nfile = "a.txt"\ntitle = """\nfile = "x"\n[[source]]\n"""\n\n'
                '[[source]]\n"file" = "plan.txt"\npublisher_code = "040003"\n')
    raw = raw_with(tmp_path, manifest)
    with pytest.raises(ConfigError) as error:
        load_manifest(raw)
    assert str(error.value).startswith(f"{raw / 'sources.toml'}:10: [[source]] entry 2 (plan.txt): "
                                       "publisher_code: '040003' is not")
    (raw / "sources.toml").write_text('source = [{file = "plan.txt", page = "x"}]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_manifest(raw)
    assert str(error.value).startswith(f"{raw / 'sources.toml'}: [[source]] entry 1 (plan.txt): page:")
    (raw / "sources.toml").write_text(ENTRY + "\n" + ENTRY, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_manifest(raw)
    assert str(error.value) == f"{raw / 'sources.toml'}:17: [[source]] entry 2 (plan.txt): file: listed twice"


def test_a_source_under_another_licence_than_the_publications_is_refused(tmp_path):
    """A source's entry giving CC-BY-SA-4.0 in a CC-BY-4.0 publication published its data
    under CC BY 4.0, every file saying so, the ShareAlike term dropped in silence (a fresh-eyes
    review); so did [publication.default_source]'s licence."""
    raw = raw_with(tmp_path, ENTRY.replace('license = "CC-BY-4.0"', 'license = "CC-BY-SA-4.0"'))
    from pipeline.config import KNOWN_LICENSES      # (as publish reads sources)
    with pytest.raises(ConfigError) as error:
        read_sources(raw, load_config(ROOT / "pipeline.toml"), set(KNOWN_LICENSES))
    assert str(error.value) == (
        f"{raw / 'sources.toml'}:14: [[source]] entry 1 (plan.txt): license: CC-BY-SA-4.0 is not "
        f"the publication's licence CC-BY-4.0 ([publication.license] id of {ROOT / 'pipeline.toml'}), "
        "which every published file states: publish this source under its own licence in a "
        "publication of that licence, or correct the entry")
    settings = tmp_path / "other.toml"
    settings.write_text('[publication]\npublisher = "宮城県"\n[publication.default_source]\n'
                        'license = "CC0-1.0"\n', encoding="utf-8")
    (raw / "sources.toml").unlink()
    with pytest.raises(ConfigError, match=r"other.toml:4: \[publication.default_source\]: "
                                          r"license: CC0-1.0 is not the publication's licence "
                                          r"CC-BY-4.0"):
        read_sources(raw, load_config(settings), set(KNOWN_LICENSES))


def test_files_without_entries_whose_names_give_one_plan_id_are_refused(tmp_path):
    """`宮城 分野2.txt` and `山形 分野2.txt` both give plan id `2`: each once published as one
    plan of 66 initiatives, two prefectures' fields under the operator's name, in silence."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("宮城 分野2.txt", "山形 分野2.txt"):
        (raw / name).write_text("text", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        read_sources(raw, load_config(ROOT / "pipeline.toml"))
    assert str(error.value) == (
        f"{raw / 'sources.toml'}: 宮城 分野2.txt has no entry in sources.toml and its name gives "
        "plan_id '2', the plan of 山形 分野2.txt too: a file without an entry is a plan of its "
        "own; give it a [[source]] entry with its plan_id (the same as 山形 分野2.txt's if they "
        "are one plan)")


def test_a_file_without_an_entry_never_joins_a_listed_plan_by_its_name(tmp_path):
    raw = raw_with(tmp_path, ENTRY)
    (raw / "miyagi-ict-plan-2014-2016.txt").write_text("text", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        read_sources(raw, load_config(ROOT / "pipeline.toml"))
    assert str(error.value).startswith(
        f"{raw / 'sources.toml'}:5: miyagi-ict-plan-2014-2016.txt has no entry in sources.toml "
        "and its name gives plan_id 'miyagi-ict-plan-2014-2016', the plan of plan.txt too")


def test_files_without_entries_are_one_plan_when_the_defaults_name_it(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("宮城 分野2.txt", "宮城 分野3.txt"):
        (raw / name).write_text("text", encoding="utf-8")
    settings = tmp_path / "pipeline.toml"
    settings.write_text((ROOT / "pipeline.toml").read_text(encoding="utf-8").replace(
        "[publication.default_source]\n", '[publication.default_source]\nplan_id = "miyagi"\n'),
        encoding="utf-8")
    sources = read_sources(raw, load_config(settings))
    assert [(s.name, s.meta.plan_id) for s in sources] == [("宮城 分野2.txt", "miyagi"),
                                                           ("宮城 分野3.txt", "miyagi")]


def refusal_of_another_plan(tmp_path: Path, entry: str, change: tuple[str, str]) -> str:
    """The error reading plan.txt with `entry` beside second.txt, a plan of its own whose
    entry is `entry` with `change` made."""
    raw = raw_with(tmp_path, entry)
    (raw / "second.txt").write_text("text", encoding="utf-8")
    (raw / "sources.toml").write_text(
        entry + "\n" + entry.replace('file = "plan.txt"', 'file = "second.txt"')
        .replace("miyagi-ict-plan-2014-2016", "other-plan").replace(*change), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        read_sources(raw, load_config(ROOT / "pipeline.toml"))
    return str(error.value)


def test_one_publisher_code_under_two_publisher_names_is_refused(tmp_path):
    """Each once gave organization/lg-040002 two names in the graph and the catalogue, listed
    the code twice on the portal's publishers page, and CKAN the first name alone."""
    raw = tmp_path / "raw"
    assert refusal_of_another_plan(tmp_path, ENTRY, ('publisher = "宮城県"',
                                                     'publisher = "宮城県（震災復興・企画部）"')) == (
        f"{raw / 'sources.toml'}:22: publisher_code 040002: publisher is '宮城県' for plan.txt but "
        "'宮城県（震災復興・企画部）' for second.txt (one authority, whose organisation and pages "
        "are keyed by its code or name: give its entries one publisher)")


def test_one_publisher_without_a_code_in_two_areas_is_refused(tmp_path):
    """A publisher without its code is one authority by its name (organization and location
    keyed by it): two areas for it passed the manifest's checks and failed the catalogue's
    (`dcat:bbox: More than 1 values`, naming the new edition's catalog.ttl, not the manifest)."""
    entry = ENTRY.replace('publisher = "宮城県"\npublisher_en = "Miyagi Prefecture"\n'
                          'publisher_code = "040002"\n', 'publisher = "秋田県"\n'
                          'publisher_bbox = [139.6, 38.8, 141.0, 40.5]\n')
    raw = tmp_path / "raw"
    assert refusal_of_another_plan(tmp_path, entry, ("40.5]", "40.6]")) == (
        f"{raw / 'sources.toml'}:22: publisher 秋田県 (without publisher_code): publisher_bbox is "
        "(139.6, 38.8, 141.0, 40.5) for plan.txt but (139.6, 38.8, 141.0, 40.6) for second.txt (one "
        "authority, whose organisation and pages are keyed by its code or name: give its entries "
        "one publisher_bbox)")


@pytest.mark.parametrize("plan_id,problem", [
    ("index.html", "'index.html' is the name of the portal's page beside the plans' folders "
                   "(initiatives/index.html): choose another id"),
    ("_x", "'_x' must be ASCII letters, digits, '.', '_' or '-', beginning with a letter or digit"),
    ("miyagi.ttl", "'miyagi.ttl' ends as the documents of a URI do (…/plan/<id>.ttl would be "
                   "the plan's Turtle): choose another id"),
    ("miyagi.HTML", "'miyagi.HTML' ends as the documents of a URI do"),
])
def test_a_plan_id_the_portal_or_the_rule_cannot_take_is_refused_with_its_line(tmp_path, plan_id,
                                                                              problem):
    """`index.html` once failed the site stage with FileExistsError on a staging path; a plan
    id ending as a URI's documents do (`miyagi.ttl`) gave its plan's URI no documents."""
    raw = raw_with(tmp_path, ENTRY.replace("miyagi-ict-plan-2014-2016", plan_id))
    with pytest.raises(ConfigError) as error:
        load_manifest(raw)
    assert str(error.value).startswith(f"{raw / 'sources.toml'}:5: [[source]] entry 1 "
                                       f"(plan.txt): plan_id: {problem}")


def test_one_publisher_code_under_two_english_names_is_refused(tmp_path):
    raw = raw_with(tmp_path, ENTRY)
    (raw / "second.txt").write_text("text", encoding="utf-8")
    (raw / "sources.toml").write_text(
        ENTRY + "\n" + ENTRY.replace('file = "plan.txt"', 'file = "second.txt"')
        .replace("miyagi-ict-plan-2014-2016", "other-plan")
        .replace('publisher_en = "Miyagi Prefecture"', 'publisher_en = "Miyagi Pref."'),
        encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        read_sources(raw, load_config(ROOT / "pipeline.toml"))
    assert str(error.value).startswith(
        f"{raw / 'sources.toml'}:23: publisher_code 040002: publisher_en is 'Miyagi Prefecture' "
        "for plan.txt but 'Miyagi Pref.' for second.txt")


@pytest.mark.parametrize("key", ["title", "plan_title", "plan_title_en", "publisher"])
def test_an_entry_naming_with_an_empty_value_is_refused(tmp_path, key):
    """`title = ""` once published a source titled "" in the catalogue and the attribution."""
    manifest = "\n".join(f'{key} = "  "' if line.startswith(f"{key} =") else line
                         for line in WITH_ENGLISH_TITLE.splitlines())
    with pytest.raises(ConfigError) as error:
        load_manifest(raw_with(tmp_path, manifest))
    assert str(error.value).endswith(f"[[source]] entry 1 (plan.txt): {key}: is empty: leave the "
                                     "key out for its default")


def test_an_entry_with_a_publisher_code_but_no_publisher_is_refused(tmp_path):
    """It took the defaults' name: 宮城県 under Fukushima's 070009."""
    manifest = ENTRY.replace('publisher = "宮城県"\n', "").replace('"040002"', '"070009"')
    with pytest.raises(ConfigError) as error:
        load_manifest(raw_with(tmp_path, manifest))
    assert str(error.value) == (f"{tmp_path / 'raw' / 'sources.toml'}:1: [[source]] entry 1 "
                                "(plan.txt): publisher: missing: an entry that gives publisher_code, "
                                "publisher_en or publisher_bbox names its publisher (no name is "
                                "taken from elsewhere for it)")


def refusal_of_files(tmp_path: Path, entries: dict[str, str]) -> str:
    """The error reading a raw folder of the named files with their entries (each the entry
    of plan.txt, renamed)."""
    raw = raw_with(tmp_path, "")
    (raw / "plan.txt").unlink()
    for name in entries:
        (raw / name).write_text("text", encoding="utf-8")
    (raw / "sources.toml").write_text("\n".join(
        entry.replace('file = "plan.txt"', f'file = "{name}"') for name, entry in entries.items()),
        encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        read_sources(raw, load_config(ROOT / "pipeline.toml"))
    return str(error.value)


def test_files_of_one_plan_disagreeing_after_one_that_leaves_the_key_out_are_refused(tmp_path):
    """Each file was compared with the plan's first only, and a key left out skipped: a, b
    (050008) and c (040002) of one plan were accepted, and the plan took b's code."""
    entries = {name: ENTRY.replace('publisher_code = "040002"\n',
                                   f'publisher_code = "{code}"\n' if code else "")
               for name, code in (("a.txt", None), ("b.txt", "050008"), ("c.txt", "040002"))}
    assert refusal_of_files(tmp_path, entries).endswith(
        "plan miyagi-ict-plan-2014-2016: publisher_code is '050008' for b.txt but '040002' for "
        "c.txt (files of one plan must agree)")


def test_files_of_one_plan_giving_two_english_titles_are_refused(tmp_path):
    entries = {name: WITH_ENGLISH_TITLE.replace("Miyagi ICT Promotion Plan (2014-2016)", title)
               for name, title in (("a.txt", "Miyagi ICT Promotion Plan (2014-2016)"),
                                   ("b.txt", "Miyagi ICT Plan"))}
    assert refusal_of_files(tmp_path, entries).endswith(
        "plan miyagi-ict-plan-2014-2016: plan_title_en is 'Miyagi ICT Promotion Plan "
        "(2014-2016)' for a.txt but 'Miyagi ICT Plan' for b.txt (files of one plan must agree)")


@pytest.mark.parametrize("left_out, english", [
    ({"plan_title_en"}, ""),                                # its file's title_en is a field's
    ({"plan_title_en", "plan_title"}, "Miyagi ICT Promotion Plan"),   # as its Japanese title
    (set(), "Miyagi ICT Promotion Plan (2014-2016)"),
])
def test_a_plans_english_title_comes_from_its_manifest(tmp_path, left_out, english):
    from pipeline.assemble import group_plans
    entry = "".join(line for line in WITH_ENGLISH_TITLE.splitlines(keepends=True)
                    if line.split(" =")[0] not in left_out)
    raw = raw_with(tmp_path, entry)
    sources = read_sources(raw, load_config(ROOT / "pipeline.toml"))
    assert group_plans(sources)["miyagi-ict-plan-2014-2016"].title_en == english
