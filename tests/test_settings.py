"""Which settings a run uses: --config before or after the subcommand, pipeline.toml looked up
in the working directory and above the raw folder, the defaults named when none is found; and
the extraction cache in its documented place, never in the working directory."""

from __future__ import annotations

import errno
import shutil
import tomllib
from pathlib import Path

import pytest

from pipeline.cli import default_cache_dir, main, parser, publication_settings
from pipeline.config import load_config
from pipeline.errors import ConfigError

FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("argv,expected", [
    (["--config", "a.toml", "publish"], "a.toml"),
    (["publish", "--config", "b.toml"], "b.toml"),
    (["--config", "a.toml", "publish", "--config", "b.toml"], "b.toml"),
    (["query", "--config", "c.toml", "ASK {}"], "c.toml"),
    (["publish"], None),
])
def test_config_is_accepted_before_and_after_the_subcommand(argv, expected):
    config = parser().parse_args(argv).config
    assert config == (Path(expected) if expected else None)


@pytest.fixture
def project(tmp_path, source_text) -> Path:
    """project/pipeline.toml and project/data/raw/plan.txt; the run starts in another folder."""
    project = tmp_path / "project"
    (project / "data" / "raw").mkdir(parents=True)
    (project / "data" / "raw" / "plan.txt").write_text(source_text, encoding="utf-8")
    shutil.copy(ROOT / "pipeline.toml", project / "pipeline.toml")
    (tmp_path / "elsewhere").mkdir()
    return project


def test_pipeline_toml_above_the_raw_folder_is_found_and_named(project, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path / "elsewhere")
    args = parser().parse_args(["publish", "--raw-dir", str(project / "data" / "raw")])
    config = publication_settings(args)
    assert config.publisher == "宮城県"
    assert capsys.readouterr().err == f"config: {project / 'pipeline.toml'}\n"


def test_without_settings_the_defaults_are_named_and_a_publish_says_why_it_stops(project, tmp_path,
                                                                                 monkeypatch, capsys):
    (project / "pipeline.toml").unlink()
    monkeypatch.chdir(tmp_path / "elsewhere")
    out = tmp_path / "out"
    status = main(["publish", "--no-cache", "--raw-dir", str(project / "data" / "raw"), "--out-dir", str(out)])
    lines = capsys.readouterr().err.splitlines()
    assert status == 1 and not out.exists()
    assert lines[0] == (f"config: no pipeline.toml in {tmp_path / 'elsewhere'}, {project / 'data'}, "
                        f"{project}; built-in defaults: licence CC-BY-4.0, no publisher, placeholder "
                        "base_uri https://example.org/plan-opendata/id/")
    assert lines[1:] == ["error: no publisher: the catalogue must name one; set publisher and "
                         "publisher_code in [publication] of pipeline.toml (or pass --config)"]


def test_a_missing_config_file_is_an_error(tmp_path, capsys):
    status = main(["publish", "--config", str(tmp_path / "nothere.toml")])
    assert status == 1
    assert capsys.readouterr().err == f"error: {tmp_path / 'nothere.toml'}: no such settings file (--config)\n"


@pytest.mark.parametrize("file", ["pipeline.toml", "data/raw/sources.toml"])
@pytest.mark.parametrize("text,problem", [
    ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nested deeper than can be read"),
    ("[publication\n", "Expected ']' at the end of a table declaration (at line 1, column 13)"),
], ids=["nested", "broken"])
def test_settings_that_cannot_be_read_are_one_line_naming_their_file(project, tmp_path, capsys,
                                                                     file, text, problem):
    """A settings file or manifest nested deeper than the TOML parser goes stopped the publish
    with `error: data/raw: publish failed: RecursionError: …`, naming neither."""
    (project / file).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    status = main(["--config", str(project / "pipeline.toml"), "publish", "--no-cache",
                   "--raw-dir", str(project / "data" / "raw"), "--out-dir", str(out)])
    assert status == 1 and not out.exists()
    assert capsys.readouterr().err.splitlines()[-1] == f"error: {project / file}: invalid TOML: {problem}"


def with_manifest(project: Path) -> None:
    """The project's raw folder as the real one: its source under its manifest's entry."""
    raw = project / "data" / "raw"
    shutil.copy(ROOT / "data" / "raw" / "sources.toml", raw)
    (raw / "plan.txt").rename(raw / "miyagi-ict-plan-2014-2016-field2.txt")


@pytest.mark.parametrize("file", ["pipeline.toml", "data/raw/sources.toml"])
def test_settings_saved_with_a_bom_are_read(project, tmp_path, capsys, file):
    """A settings file or manifest saved by Windows' Notepad (UTF-8 with a BOM) stopped the
    publish with `invalid TOML: Invalid statement (at line 1, column 1)`."""
    with_manifest(project)
    path = project / file
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    out = tmp_path / "out"
    status = main(["--config", str(project / "pipeline.toml"), "publish", "--no-cache",
                   "--raw-dir", str(project / "data" / "raw"), "--out-dir", str(out)])
    assert status == 0, capsys.readouterr().err
    rows = (out / "initiatives.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 34 and rows[1].startswith("miyagi-ict-plan-2014-2016,2-1-1,")


def test_a_setting_of_a_file_saved_with_a_bom_is_named_by_its_line(tmp_path, capsys):
    """Read, a file saved with a BOM had its problems named by no line (or another entry's):
    the first line, `\ufeff[publication]`, was no table's header to the line finder."""
    settings = tmp_path / "settings.toml"
    settings.write_bytes(b"\xef\xbb\xbf[publication]\nversion = 1\n")
    assert main(["--config", str(settings), "validate", "--out-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err.splitlines()[-1].startswith(f"error: {settings}:2: version: ")
    # a line separator in a string (U+2028) is no line's end in TOML: it was counted as one
    settings.write_text('[publication]\ntitle = "a\u2028b"\nversion = 1\n', encoding="utf-8")
    assert main(["--config", str(settings), "validate", "--out-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err.splitlines()[-1].startswith(f"error: {settings}:3: version: ")


@pytest.mark.parametrize("file", ["pipeline.toml", "data/raw/sources.toml"])
def test_settings_in_another_encoding_name_the_line(project, tmp_path, capsys, file):
    """A settings file saved as Shift_JIS was `invalid TOML: 'utf-8' codec can't decode byte
    0x95 in position 97: invalid start byte`: no line, and Python's words."""
    with_manifest(project)
    path = project / file
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if not line.isascii())
    path.write_bytes("".join(lines).encode("cp932"))
    byte = lines[at].encode("cp932")[next(i for i, c in enumerate(lines[at]) if not c.isascii())]
    out = tmp_path / "out"
    status = main(["--config", str(project / "pipeline.toml"), "publish", "--no-cache",
                   "--raw-dir", str(project / "data" / "raw"), "--out-dir", str(out)])
    assert status == 1 and not out.exists()
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"error: {path}: invalid TOML: line {at + 1} is not UTF-8 (byte {byte:#04x}): save the "
        "file as UTF-8")


@pytest.mark.parametrize("command", [["validate"], ["fetch"], ["linkcheck"], ["api"]])
def test_every_command_given_a_settings_file_reads_it(tmp_path, capsys, command):
    """validate, fetch, linkcheck and api use no settings, and passed over a --config that named
    no file (a typo in a scheduled job's path) or a broken one, exit 0."""
    status = main(["--config", str(tmp_path / "nothere.toml"), *command])
    assert status == 1
    assert capsys.readouterr().err == f"error: {tmp_path / 'nothere.toml'}: no such settings file (--config)\n"


def test_a_publish_from_another_folder_caches_in_the_cache_home_not_the_working_directory(
        project, tmp_path, monkeypatch, capsys):
    cache_home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    monkeypatch.chdir(tmp_path / "elsewhere")
    status = main(["publish", "--raw-dir", str(project / "data" / "raw"), "--out-dir", str(tmp_path / "out")])
    assert status == 0, capsys.readouterr().err
    assert list((tmp_path / "elsewhere").iterdir()) == []
    assert len(list((cache_home / "plan-opendata" / "extract").glob("*.pickle"))) == 1


@pytest.mark.parametrize("cache_home", ["relative-cache", ""])
def test_a_relative_or_empty_cache_home_is_ignored(tmp_path, monkeypatch, cache_home):
    """As the XDG specification asks: a relative XDG_CACHE_HOME once put the cache into the
    working directory (a project's checkout)."""
    monkeypatch.setenv("XDG_CACHE_HOME", cache_home)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "plan-opendata" / "extract"


@pytest.mark.parametrize("setting,problem", [
    ('keywords = 5', 'keywords: must be a list of words'),
    ('spatial_bbox = 5', 'spatial_bbox: needs four numbers: west, south, east, north'),
    ('spatial_bbox = ["a", "b", "c", "d"]', 'spatial_bbox: needs four numbers'),
    ('title = 5', 'title: must be text, not int'),
    ('uri_documents = "no"', "uri_documents: must be true or false, not 'no'"),
    ('uri_documents = 2026-12-01T09:00:00', "uri_documents: must be true or false, not 2026-12-01T09:00:00"),
    ('base_uri = "not a uri"', "base_uri: 'not a uri' is not an http(s) URL"),
    # each once published as given as the catalogue's dct:accrualPeriodicity, which DCAT-AP
    # 3.0.1 takes from the EU frequency table alone (a typo, a word, another vocabulary)
    ('accrual_periodicity = "weekly"', "accrual_periodicity: 'weekly' is not a frequency of the "
     "EU authority table: http://publications.europa.eu/resource/authority/frequency/ followed by "
     "one of 1MIN, 5MIN, 10MIN, 15MIN, 30MIN, HOURLY, BIHOURLY, TRIHOURLY, 12HRS, DAILY, DAILY_2, "
     "WEEKLY, WEEKLY_2, WEEKLY_3, WEEKLY_5, BIWEEKLY, MONTHLY, MONTHLY_2, MONTHLY_3, BIMONTHLY, "
     "QUARTERLY, ANNUAL, ANNUAL_2, ANNUAL_3, BIENNIAL, TRIENNIAL, QUADRENNIAL, QUINQUENNIAL, "
     "SEXENNIAL, DECENNIAL, BIDECENNIAL, TRIDECENNIAL, CONT, UPDATE_CONT, AS_NEEDED, IRREG, "
     "NOT_PLANNED, NEVER, OTHER, UNKNOWN, OP_DATPRO"),
    ('accrual_periodicity = "http://publications.europa.eu/resource/authority/frequency/WEEKY"',
     "accrual_periodicity: 'http://publications.europa.eu/resource/authority/frequency/WEEKY' is "
     "not a frequency of the EU authority table"),
    ('accrual_periodicity = "http://publications.europa.eu/resource/authority/frequency/weekly"',
     "accrual_periodicity: 'http://publications.europa.eu/resource/authority/frequency/weekly' is "
     "not a frequency"),
    ('accrual_periodicity = "https://publications.europa.eu/resource/authority/frequency/WEEKLY"',
     "accrual_periodicity: 'https://publications.europa.eu/resource/authority/frequency/WEEKLY' is "
     "not a frequency"),            # another URI (https), never "fixed"
    ('accrual_periodicity = "http://purl.org/cld/freq/weekly"',
     "accrual_periodicity: 'http://purl.org/cld/freq/weekly' is not a frequency of the EU"),
    ('api_url = "ftp://x y"', "api_url: 'ftp://x y' is not an http(s) URL"),
    ('contact_email = "not an email"', "contact_email: 'not an email' is not an e-mail address"),
    ('[publication.license]\nid = 7', '[publication.license] id: must be text, not int'),
    # each once written as given, failing the publish halfway (or writing outside OUT: ../x)
    ('name = "../escape"', "name: '../escape' must be 1 to 88 lowercase ASCII letters"),
    ('name = "a b"', "name: 'a b' must be 1 to 88 lowercase ASCII letters"),
    ('name = "Miyagi-ICT"', "name: 'Miyagi-ICT' must be 1 to 88 lowercase ASCII letters"),
    ('name = "' + "n" * 101 + '"', "name: '" + "n" * 101 + "' must be 1 to 88"),
    ('publisher_code = "040 002"', "publisher_code: '040 002' is not a 全国地方公共団体コード"),
    ('publisher_code = "040001"', "publisher_code: '040001' is not a 全国地方公共団体コード"),
    ('base_uri = ""', "base_uri: '' is not an http(s) URL"),
    ('download_base = ""', "download_base: '' is not an http(s) URL"),
    ('base_uri = "https://example.org/id"', "base_uri: 'https://example.org/id' must end with '/'"),
    ('base_uri = "https://example.org/id/#"', "base_uri: 'https://example.org/id/#' must end with"),
    ('download_base = "https://example.org/?x=1"', "download_base: 'https://example.org/?x=1' must"),
    # each once published odd values (a language's URI, a box of nan) or failed the catalogue or
    # the CKAN export with a line naming no key
    ('language = "j a"', "language: 'j a' is not one of ja, en,"),
    ('language = "ja_JP"', "language: 'ja_JP' is not one of ja, en,"),
    ('language = "日本語"', "language: '日本語' is not one of"),
    ('spatial_bbox = [nan, 38, 141, 39]', "spatial_bbox: needs four numbers"),
    ('spatial_bbox = [140, 38, inf, 39]', "spatial_bbox: needs four numbers"),
    ('spatial_bbox = [141, 38, 140, 39]', "spatial_bbox: [141, 38, 140, 39] is no box: west < east"),
    ('spatial_bbox = [140, 95, 141, 96]', "spatial_bbox: [140, 95, 141, 96] is no box"),
    ('version = "v1"', "version: 'v1' must be numbers joined by dots, such as 1.0.0"),
    ('version = ""', "version: '' must be numbers joined by dots"),
    ('keywords = ["ICT", "a/b"]', "keywords: 'a/b': a keyword is 2 to 100 letters, digits,"),
    ('keywords = ["x"]', "keywords: 'x': a keyword is 2 to 100"),
    # each once failed a stage of the publish with a Python exception (IndexError, ValueError)
    # naming the raw folder, or its datasets with names cut to one (`<name>-initiatives` > 100)
    ('[publication.license]\nurl = ""', "[publication.license] url: '' is not an http(s) URL"),
    ('base_uri = "https://example.org:abc/id/"', "base_uri: 'https://example.org:abc/id/' is not"),
    ('contact_url = "https://example.org:99999/"', "contact_url: 'https://example.org:99999/' is"),
    # each once failed the publish (rdf.formats: "Invalid IRI …") naming the raw folder: no IRI
    ('base_uri = "https://example.org/%zz/id/"', "base_uri: 'https://example.org/%zz/id/' is not"),
    ('download_base = "https://example.org/a%2/"', "download_base: 'https://example.org/a%2/' is"),
    ('base_uri = "https://example.org/a[b]/id/"', "base_uri: 'https://example.org/a[b]/id/' is"),
    ('base_uri = "https://[::1]@example.org/id/"', "base_uri: 'https://[::1]@example.org/id/' is"),
    ('contact_url = "https://example.org/a#b#c"', "contact_url: 'https://example.org/a#b#c' is"),
    ('name = "' + "n" * 89 + '"', "name: '" + "n" * 89 + "' must be 1 to 88"),
    ('[site]\ntemplates = 5', "[site] templates: must be text (a folder), not int"),
    ('[site]\ntemplates = "a\\u0000b"', "[site] templates: 'a\\x00b' is not a folder name"),
    ('[sit]\ntemplates = "division"', "unknown table(s) or key(s): sit (known: publication, site, "),
    # each once published as given: a NUL in every page of the portal, an escape in the RDF
    ('title = "a\\u0000b"', "title: 'a\\x00b' holds a control character or noncharacter (U+FFFE"),
    ('[publication.license]\nnote = "\\u001b[2J"', "[publication.license] note: '\\x1b[2J' holds a"),
    ('title = "a\\uffffb"', "title: 'a\\uffffb' holds a control character or noncharacter"),
    # each once published as given: a catalogue and portal titled "", a licence stated by its
    # id and by the page of none (licences, not licenses)
    ('title = ""', "title: is empty: the catalogue, the portal and every dataset are titled by it"),
    ('title = "  "', "title: is empty"),
    ('[publication.license]\nurl = "https://creativecommons.org/licences/by/4.0/"',
     "[publication.license] url: 'https://creativecommons.org/licences/by/4.0/' is not the page "
     "of CC-BY-4.0 (https://creativecommons.org/licenses/by/4.0/…): correct the url or the id"),
    ('[publication.license]\nurl = "https://creativecommons.org/licenses/by/4.0/"\nid = "CC-BY-SA-4.0"',
     "[publication.license] url: 'https://creativecommons.org/licenses/by/4.0/' is not the page "
     "of CC-BY-SA-4.0"),
])
def test_a_setting_of_the_wrong_kind_is_named_by_its_key_in_its_file(tmp_path, setting, problem):
    """Not by the library that would stumble on it halfway through a publish; by its line (3,
    after [publication] and its publisher; 4 after a table's header), which errors once did
    not name."""
    settings = tmp_path / "settings.toml"
    settings.write_text(f'[publication]\npublisher = "宮城県"\n{setting}\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(settings)
    line = 4 if setting.startswith("[") and not setting.startswith("[sit]") else 3
    assert str(error.value).startswith(f"{settings}:{line}: {problem}")


@pytest.mark.parametrize("setting", ['language = "en"', 'version = "2"', 'version = "2.1.0.3"',
                                     'title = "宮城県 計画データ"',
                                     'spatial_bbox = [140.27, 37.77, 141.68, 39.0]',
                                     'keywords = ["ICT", "行政の情報化", "open data"]',
                                     f'accrual_periodicity = "{FREQUENCY}MONTHLY"',
                                     f'accrual_periodicity = "{FREQUENCY}5MIN"',
                                     f'accrual_periodicity = "{FREQUENCY}SEXENNIAL"',
                                     'accrual_periodicity = ""'])         # none stated
def test_settings_of_the_right_form_are_taken(tmp_path, setting):
    settings = tmp_path / "settings.toml"
    settings.write_text(f'[publication]\npublisher = "宮城県"\n{setting}\n', encoding="utf-8")
    (key, value), = tomllib.loads(setting).items()
    taken = getattr(load_config(settings), key)
    assert taken == (tuple(value) if isinstance(value, list) else value)


def test_each_of_the_41_frequencies_of_the_eu_table_is_taken_and_has_japanese_words(tmp_path):
    """The portal names the frequency in words (毎週), for every code a publisher may set."""
    from pipeline.config import FREQUENCIES
    settings = tmp_path / "settings.toml"
    for code, words in FREQUENCIES.items():
        settings.write_text(f'[publication]\naccrual_periodicity = "{FREQUENCY}{code}"\n',
                            encoding="utf-8")
        assert load_config(settings).accrual_periodicity == FREQUENCY + code
        assert words.strip() and not words.isascii(), code
    assert len(FREQUENCIES) == 41
    assert (FREQUENCIES["WEEKLY"], FREQUENCIES["IRREG"], FREQUENCIES["5MIN"], FREQUENCIES["CONT"]) == \
        ("毎週", "不定期", "5分ごと", "常時")

@pytest.mark.parametrize("licence,url", [
    ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/deed.ja"),
    ("CC-BY-4.0", "http://creativecommons.org/licenses/by/4.0/legalcode"),
    ("CC-BY-4.0", "https://CreativeCommons.org/licenses/by/4.0/"),
    ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0"),       # without its last /
    ("ODbL-1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
    ("ODbL-1.0", "http://www.opendatacommons.org/licenses/odbl/1.0/"),   # as SPDX lists it
])
def test_a_known_licence_may_link_its_deed_or_legal_code(tmp_path, licence, url):
    settings = tmp_path / "settings.toml"
    settings.write_text(f'[publication]\npublisher = "宮城県"\n[publication.license]\nid = "{licence}"\n'
                        f'url = "{url}"\n', encoding="utf-8")
    assert load_config(settings).license.url == url        # never "fixed"


@pytest.mark.parametrize("given,expected", [
    ('id = "LicenseRef-Miyagi"\ntitle = "宮城県オープンデータ利用規約"\nurl = "https://www.pref.miyagi.jp/od/"\n',
     ("LicenseRef-Miyagi", "宮城県オープンデータ利用規約", "https://www.pref.miyagi.jp/od/", "")),
    ('id = "CC0-1.0"\nurl = "https://creativecommons.org/publicdomain/zero/1.0/"\n',
     ("CC0-1.0", "CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/", "")),
    ('note = "利用の際は出典を記載してください。"\n',
     ("CC-BY-4.0", "クリエイティブ・コモンズ 表示 4.0 国際",
      "https://creativecommons.org/licenses/by/4.0/", "利用の際は出典を記載してください。")),
])
def test_a_licence_other_than_the_default_takes_none_of_its_words(tmp_path, given, expected):
    """A licence other than CC BY 4.0 that leaves out its title or note took CC BY 4.0's: CC0
    was titled 「クリエイティブ・コモンズ 表示 4.0 国際」 and noted compatible with PDL1.0 in every
    file. Its title left out is its id (a link's words), its note left out not stated; the
    default's id alone still takes the default's words."""
    settings = tmp_path / "settings.toml"
    settings.write_text(f'[publication]\npublisher = "宮城県"\n[publication.license]\n{given}',
                        encoding="utf-8")
    license = load_config(settings).license
    assert (license.id, license.title, license.url, license.note) == expected


@pytest.mark.parametrize("given", ['id = "LicenseRef-Miyagi"\ntitle = "宮城県オープンデータ利用規約"\n',
                                   'id = "CC0-1.0"\nnote = "出典の記載は不要です。"\n'])
def test_a_licence_other_than_the_default_without_its_url_is_refused(tmp_path, given):
    """Without its url, another licence took CC BY 4.0's page, linked in every published file
    under the other licence's name, in silence; an id alone was refused for a URL the file
    never gave (CC BY's, 'is not the page of CC0-1.0')."""
    settings = tmp_path / "settings.toml"
    settings.write_text(f'[publication]\npublisher = "宮城県"\n[publication.license]\n{given}',
                        encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(settings)
    assert str(error.value) == f"{settings}:3: [publication.license] url: is required for a " \
        "licence other than CC-BY-4.0 (its page, which every published file links)"


def test_a_known_licence_of_another_version_is_refused(tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text('[publication]\npublisher = "宮城県"\n[publication.license]\n'
                        'id = "ODC-By-1.0"\nurl = "https://opendatacommons.org/licenses/by/10/"\n',
                        encoding="utf-8")
    with pytest.raises(ConfigError, match="is not the page of ODC-By-1.0"):
        load_config(settings)


def test_a_settings_file_that_cannot_be_read_is_named(tmp_path, monkeypatch):
    """As `PermissionError: [Errno 13] …` it once failed the publish naming the raw folder."""
    settings = tmp_path / "settings.toml"
    settings.write_text('[publication]\npublisher = "宮城県"\n', encoding="utf-8")
    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(ConfigError) as error:
        load_config(settings)
    assert str(error.value) == f"{settings}: cannot read: Permission denied"


def denied(path: Path, *args, **kwargs):
    """What reading or listing `path` raises for a user without the permission (tests run as root)."""
    raise PermissionError(errno.EACCES, "Permission denied", str(path))


def test_a_publication_that_is_not_a_table_is_named(tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text("publication = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"settings.toml: \[publication\] must be a table"):
        load_config(settings)


@pytest.mark.parametrize("url, accepted", [
    ("https://example.jp/計画/", True), ("https://example.org/%E8%A8%88", True),
    ("http://[::1]:8080/x", True), ("http://[v1.fe]/x", True),      # IP literals (RFC 3986)
    ("http://user@[::1]/x", True),
    ("http://e/a%zz", False), ("http://e/a[b]", False), ("http://e/?a[]=1", False),
    ("http://[::1]@x/g", False), ("http://[1]/g", False), ("https://e/x#a#b", False),
    ("http://e/a\u3000b", False),       # an IRI character, but no URL a setting means
])
def test_a_settings_url_is_an_iri_as_the_linked_data_reads_one(url, accepted):
    """The settings' URLs are checked by the parser that writes the linked data (is_iri): a
    valid IPvFuture host (`http://[v1.fe]/x`) was refused by a hand-written rule, while
    `http://[::1]@x/g` and a second `#` passed it and failed the publish's RDF stage."""
    from pipeline.config import is_http_url
    assert is_http_url(url) is accepted
