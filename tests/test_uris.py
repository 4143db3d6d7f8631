"""Every URI the publication mints resolves: a document per subject of graph.nt under base_uri
(HTML, Turtle, JSON-LD), the local server negotiating them by Accept as the shipped nginx and
Apache configurations do, and the nginx configuration accepted by `nginx -t`."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pyoxigraph
import pytest

from pipeline.config import load_config
from pipeline.export.pageroutes import catalogue_pages
from pipeline.rdf.documents import DocumentTarget, document_name, write_documents
from pipeline.rdf.negotiation import CATALOGUE_PATTERN, catalogue_document, choose_suffix
from pipeline import serve
from pipeline.serve import make_server

ROOT = Path(__file__).resolve().parent.parent
CONFIG = load_config(ROOT / "pipeline.toml")
BASE = CONFIG.base_uri
PLAN = "plan/miyagi-ict-plan-2014-2016/"            # every plan's records are minted under it
NT = pyoxigraph.RdfFormat.N_TRIPLES


def subjects(published: Path) -> dict[str, set[str]]:
    """The triples (as N-Triples text) of every subject under base_uri of graph.nt and of the
    vocabulary (the terms of pv:, minted under base_uri too)."""
    found: dict[str, set[str]] = {}
    for name, fmt in (("graph.nt", NT), ("vocabulary.ttl", pyoxigraph.RdfFormat.TURTLE)):
        for triple in pyoxigraph.parse((published / "rdf" / name).read_bytes(), format=fmt):
            if isinstance(triple.subject, pyoxigraph.NamedNode) and \
                    triple.subject.value.startswith(BASE):
                found.setdefault(triple.subject.value, set()).add(str(triple))
    return found


def test_every_minted_uri_has_html_turtle_and_json_ld(published):
    minted = subjects(published)
    assert len(minted) > 300 and f"{BASE}{PLAN}initiative/2-2-5" in minted
    assert f"{BASE}vocab/Initiative" in minted and f"{BASE}vocab" in minted    # the ontology too
    assert_every_uri_has_its_documents(published, minted)


def assert_every_uri_has_its_documents(published: Path, minted: dict[str, set[str]]) -> None:
    """Each URI's three documents, listed, stating its triples alone (and their own)."""
    listed = json.loads((published / "rdf" / "uri-documents.json").read_text(encoding="utf-8"))
    paths = {entry["path"] for entry in listed["files"]}
    for uri, triples in minted.items():
        assert document_name(uri, BASE) is not None, uri
        name = "id/" + document_name(uri, BASE)
        for suffix in (".html", ".ttl", ".jsonld"):
            assert f"{name}{suffix}" in paths, uri
        for suffix, fmt in ((".ttl", pyoxigraph.RdfFormat.TURTLE),
                            (".jsonld", pyoxigraph.RdfFormat.JSON_LD)):
            document = {str(t) for t in pyoxigraph.parse((published / f"{name}{suffix}").read_bytes(),
                                                         format=fmt)}
            assert document == triples | about_the_document(uri, suffix), uri
    assert len(paths) == 3 * len(minted)


def about_the_document(uri: str, suffix: str) -> set[str]:
    """What a URI's Turtle or JSON-LD document says of itself (its URL: where it is
    downloaded, the URI's path percent-encoded as in the URI): its topic, its licence and the
    attribution it asks for."""
    document = f"<{CONFIG.download_base}id/{uri[len(BASE):]}{suffix}>"
    return {f"{document} <http://xmlns.com/foaf/0.1/primaryTopic> <{uri}>",
            f"{document} <http://purl.org/dc/terms/license> <{CONFIG.license.url}>",
            f'{document} <http://creativecommons.org/ns#attributionText> "{ATTRIBUTION}"@ja'}


ATTRIBUTION = ("出典：宮城県「みやぎICT推進プラン(2014～2016) 分野2 行政の情報化」"
               "（https://www.pref.miyagi.jp/soshiki/jyoho/indexictplan2014.html）を加工して作成")


def test_every_uri_document_states_its_licence_and_attribution(published):
    """A document travels alone: its Turtle and JSON-LD say their licence and the attribution
    as triples about the document (not about the resource, which the licence does not cover),
    its HTML in its footer."""
    name = f"id/{PLAN}initiative/2-2-5"
    turtle = pyoxigraph.parse((published / f"{name}.ttl").read_bytes(), format=pyoxigraph.RdfFormat.TURTLE)
    document = pyoxigraph.NamedNode(f"{CONFIG.download_base}{name}.ttl")
    assert {(str(t.predicate), str(t.object)) for t in turtle if t.subject == document} == {
        ("<http://xmlns.com/foaf/0.1/primaryTopic>", f"<{BASE}{PLAN}initiative/2-2-5>"),
        ("<http://purl.org/dc/terms/license>", "<https://creativecommons.org/licenses/by/4.0/>"),
        ("<http://creativecommons.org/ns#attributionText>", f'"{ATTRIBUTION}"@ja')}
    page = (published / f"{name}.html").read_text(encoding="utf-8")
    assert ('<a rel="license" href="https://creativecommons.org/licenses/by/4.0/">'
            "クリエイティブ・コモンズ 表示 4.0 国際</a>") in page
    assert ATTRIBUTION in page


def test_the_html_document_shows_the_resource_and_links_its_neighbours(published):
    page = (published / "id" / "plan" / "miyagi-ict-plan-2014-2016" / "initiative" / "2-2-5.html").read_text(encoding="utf-8")
    assert "<title>電子申請オンライン利用の促進</title>" in page
    assert 'href="2-2-5.ttl"' in page and 'href="2-2-5.jsonld"' in page
    assert 'href="../../../../id/plan/miyagi-ict-plan-2014-2016/initiative/2-1-6.html"' in page   # dcterms:references
    glossary = next((published / "id" / "concept" / "glossary").glob("*.html"))
    assert "%" not in glossary.name                                 # decoded, as servers map paths



@pytest.mark.parametrize("document,page", [
    ("plan/miyagi-ict-plan-2014-2016/initiative/2-2-5", "initiatives/miyagi-ict-plan-2014-2016/2-2-5.html"),
    ("plan/miyagi-ict-plan-2014-2016/item/2-1", "publishers/miyagi-ict-plan-2014-2016/item-2-1.html"),
    ("plan/miyagi-ict-plan-2014-2016", "publishers/miyagi-ict-plan-2014-2016/index.html"),
    ("plan/miyagi-ict-plan-2014-2016/field/2", None),
    ("organization/lg-040002/震災復興・企画部", "departments/d-559477187305.html"),
    ("organization/lg-040002/震災復興・企画部/情報システム課", None),
    ("organization/lg-040002", None),
])
def test_the_html_document_of_a_plan_item_initiative_or_department_links_its_portal_page(
        published, document, page):
    """A reader who follows a URI lands on its RDF as a table: the HTML of a resource the
    portal has a page of links to that page (it linked the catalogue's landing page alone; a
    department's, none)."""
    html = (published / "id" / f"{document}.html").read_text(encoding="utf-8")
    links = re.findall(r'<a class="portal-page" href="([^"]+)">', html)
    if page is None:
        assert links == []
        return
    depth = document.count("/") + 1
    assert links == ["../" * depth + page] and (published / page).is_file()


def test_a_licence_without_a_url_is_linked_nowhere(tmp_path):
    """A licence configured without its URL: no licence triple, no link to the page itself."""
    target = DocumentTarget(tmp_path, "id/", BASE, "出典：…", {"name": "X", "path": "", "title": "X"},
                            download_base=CONFIG.download_base)
    uri = pyoxigraph.NamedNode(f"{BASE}thing/1")
    write_documents([pyoxigraph.Triple(uri, pyoxigraph.NamedNode("http://purl.org/dc/terms/title"),
                                       pyoxigraph.Literal("一"))], target, {})
    assert "license" not in (tmp_path / "id" / "thing" / "1.html").read_text(encoding="utf-8")
    turtle = (tmp_path / "id" / "thing" / "1.ttl").read_text(encoding="utf-8")
    assert "license" not in turtle and "primaryTopic" in turtle and "出典：…" in turtle

@pytest.fixture(scope="module")
def served(published):
    with make_server(published, port=0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}/"
        server.shutdown()


def fetch(url: str, accept: str | None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), b""


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.mark.parametrize("path", [f"{PLAN}initiative/2-2-5", f"{PLAN}indicator/2-2-5-1/baseline",
                                  "vocab", "vocab/Initiative"])
@pytest.mark.parametrize("accept, media, fmt", [
    ("text/turtle", "text/turtle", pyoxigraph.RdfFormat.TURTLE),
    ("application/ld+json", "application/ld+json", pyoxigraph.RdfFormat.JSON_LD),
    ("text/turtle;q=0.9, application/ld+json", "application/ld+json", pyoxigraph.RdfFormat.JSON_LD),
    (BROWSER, "text/html", None),
    (None, "text/html", None),
])
def test_the_local_server_negotiates_each_uri(published, served, path, accept, media, fmt):
    status, headers, body = fetch(served + "id/" + path, accept)
    assert status == 200
    assert headers["Content-type"].split(";")[0] == media
    assert headers["Vary"] == "Accept"
    if fmt is None:
        assert body.startswith(b"<!DOCTYPE html>") and f"{BASE}{path}".encode() in body
    else:
        triples = {str(t) for t in pyoxigraph.parse(body, format=fmt)}
        suffix = ".ttl" if fmt == pyoxigraph.RdfFormat.TURTLE else ".jsonld"
        assert triples == subjects(published)[BASE + path] | about_the_document(BASE + path, suffix)


def test_the_local_server_serves_files_and_refuses_unknown_uris(served, published):
    status, headers, body = fetch(served + "rdf/graph.ttl", "text/html")
    assert status == 200 and body == (published / "rdf" / "graph.ttl").read_bytes()
    assert fetch(served + "id/initiative/9-9-9", "text/turtle")[0] == 404


@pytest.mark.parametrize("folder, without_slash", [
    ("id/organization/", 404), ("id/", 404),
    (f"id/{PLAN}initiative/2-2-5/", 200),           # (without its /, a URI with documents)
])
def test_the_local_server_lists_no_folder(served, folder, without_slash):
    """A folder without an index.html answered with a listing of its files, where nginx and the
    .htaccess answer 404; a folder with one still shows it."""
    assert fetch(served + folder, BROWSER)[0] == 404
    assert see_other(served + folder.rstrip("/"), BROWSER)[0] == without_slash  # not 301 to …/
    status, _, body = fetch(served + "publishers/", BROWSER)
    assert (status, body.startswith(b"<!DOCTYPE html>")) == (200, True)


def test_the_local_server_on_a_port_it_cannot_have_is_one_error_line(published, capsys):
    """A port in use, or none at all (99999): one line and exit 1 (or argparse's usage error,
    exit 2), not a traceback of socketserver's bind."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert serve.main(["--out-dir", str(published), "--port", str(port)]) == 1
    assert capsys.readouterr().err == (f"error: cannot listen on http://127.0.0.1:{port}/: "
                                       "Address already in use\n")
    with pytest.raises(SystemExit) as stop:
        serve.main(["--out-dir", str(published), "--port", "99999"])
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(
        "argument --port: 99999 is no TCP port (0 to 65535)")


@pytest.mark.parametrize("name,damage", [
    ("datapackage.json", b"\xff\xfe{}"),                         # not UTF-8
    ("datapackage.json", b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),   # too deep
    ("rdf/uri-documents.json", b'{"folder": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
], ids=["not-utf-8", "nested", "documents-nested"])
def test_the_local_server_serves_a_folder_whose_descriptors_are_damaged(published, tmp_path,
                                                                         name, damage):
    """A datapackage.json not UTF-8, or nested deeper than the parser goes, stopped
    `python -m pipeline.serve` with a traceback (UnicodeDecodeError, RecursionError): the
    catalogue's URIs then have no portal pages, the files are served as they are."""
    folder = tmp_path / "out"
    shutil.copytree(published, folder, symlinks=True)
    (folder / name).write_bytes(damage)
    with make_server(folder, port=0) as server:
        handler = server.RequestHandlerClass.func       # (functools.partial: the folder)
        assert (handler.routes, handler.documents_folder) == (
            ((), "id/") if name == "datapackage.json" else (serve.page_routes(published), None))


def test_the_local_server_says_any_failure_in_one_line(published, monkeypatch, capsys):
    """Whatever fails as the server starts is one line naming the folder, never a traceback."""
    def broken(folder, port):
        raise MemoryError("no memory left")
    monkeypatch.setattr(serve, "make_server", broken)
    assert serve.main(["--out-dir", str(published), "--port", "0"]) == 1
    assert capsys.readouterr().err == f"error: {published}: serve failed: MemoryError: no memory left\n"


def test_the_local_server_never_follows_a_link_out_of_the_folder(published, tmp_path):
    """Publish keeps a link someone put into the published folder; the local server serves
    what it points to only inside the folder."""
    folder = tmp_path / "out"
    shutil.copytree(published, folder, symlinks=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("not published", encoding="utf-8")
    (folder / "secret.txt").symlink_to(secret)
    (folder / "elsewhere").symlink_to(tmp_path)
    (folder / "graph.ttl").symlink_to(Path("rdf") / "graph.ttl")
    with make_server(folder, port=0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        try:
            assert fetch(url + "secret.txt", None)[0] == 404
            assert fetch(url + "elsewhere/secret.txt", None)[0] == 404
            assert fetch(url + "elsewhere/", None)[0] == 404
            status, _, body = fetch(url + "graph.ttl", None)
            assert status == 200 and body == (published / "rdf" / "graph.ttl").read_bytes()
        finally:
            server.shutdown()


def test_accept_headers_choose_the_document():
    assert choose_suffix("text/turtle") == ".ttl"
    assert choose_suffix("application/ld+json;q=0.5, text/turtle;q=0.4") == ".jsonld"
    assert choose_suffix("text/html, text/turtle;q=0.5") == ".html"
    assert choose_suffix("text/turtle;q=0") == ".html"
    assert choose_suffix("*/*") == ".html"


def test_the_server_configurations_are_generated_from_base_uri(published):
    nginx = (published / "server" / "nginx.conf").read_text(encoding="utf-8")
    assert "location /plan-opendata/id/ {" in nginx
    assert "try_files $uri $uri$plan_document_suffix =404;" in nginx
    assert "return 303 /plan-opendata/$plan_catalogue_document;" in nginx
    assert '"~^/plan\\-opendata/id/dataset/([^/]+)$" "datasets/$1.html";' in nginx
    assert ('"~^/plan\\-opendata/id/distribution/(?:rdf/.+)$" '
            '"datasets/miyagi-ict-plan-linked-data.html";') in nginx
    htaccess = (published / "id" / ".htaccess").read_text(encoding="utf-8")
    assert "RewriteRule ^(.+)$ $1.ttl [L]" in htaccess and "text/turtle" in htaccess
    assert (f"RewriteRule {CATALOGUE_PATTERN} /plan-opendata/catalog.ttl [R=303,L]" in htaccess
            and f"RewriteRule {CATALOGUE_PATTERN} /plan-opendata/index.html [R=303,L]" in htaccess)
    assert ("RewriteCond %1datasets/$1.html -f\n"
            "RewriteRule ^dataset/([^/]+)$ /plan-opendata/datasets/$1.html [R=303,L]\n") in htaccess
    assert "Options -MultiViews -Indexes\n<IfModule mod_dir.c>\nDirectorySlash Off\n" in htaccess
    assert htaccess.endswith("RewriteCond %{REQUEST_FILENAME} -d\nRewriteRule ^ - [R=404,L]\n")


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def test_nginx_accepts_the_generated_configuration(published, tmp_path):
    if NGINX is None:
        if os.environ.get("REQUIRE_NGINX"):
            raise RuntimeError("nginx is missing (installed by .ci/run)")
        pytest.skip("not installed: nginx (Debian package nginx-light)")
    config = (published / "server" / "nginx.conf").read_text(encoding="utf-8")
    config = config.replace("listen 80;", "listen 127.0.0.1:8089;")
    (tmp_path / "site.conf").write_text(config, encoding="utf-8")
    main = tmp_path / "nginx.conf"
    main.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
                    f"http {{\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n")
    result = subprocess.run([NGINX, "-t", "-c", str(main), "-p", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_nginx_negotiates_the_uris_with_the_generated_configuration(published, tmp_path):
    """The generated configuration in a real nginx: the published folder at the path of
    download_base, a URI answered by Accept."""
    if NGINX is None:
        if os.environ.get("REQUIRE_NGINX"):
            raise RuntimeError("nginx is missing (installed by .ci/run)")
        pytest.skip("not installed: nginx (Debian package nginx-light)")
    www = tmp_path / "www"
    www.mkdir()
    (www / "plan-opendata").symlink_to(published)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = (published / "server" / "nginx.conf").read_text(encoding="utf-8")
    config = config.replace("listen 80;", f"listen 127.0.0.1:{port};").replace(
        "root /srv/www;", f"root {www};")
    (tmp_path / "site.conf").write_text(config, encoding="utf-8")
    main = tmp_path / "nginx.conf"
    user = "user root;\n" if os.geteuid() == 0 else ""
    main.write_text(f"{user}daemon off;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
                    f"events {{}}\nhttp {{\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n")
    server = subprocess.Popen([NGINX, "-c", str(main), "-p", str(tmp_path)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}/plan-opendata/id/{PLAN}initiative/2-2-5"
        for _ in range(50):
            try:
                status, headers, body = fetch(url, "text/turtle")
                break
            except urllib.error.URLError:
                time.sleep(0.1)
        assert status == 200 and headers["Content-Type"].startswith("text/turtle")
        uri = f"{BASE}{PLAN}initiative/2-2-5"
        assert {str(t) for t in pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.TURTLE)} == \
            subjects(published)[uri] | about_the_document(uri, ".ttl")
        status, headers, body = fetch(url, BROWSER)
        assert headers["Content-Type"].startswith("text/html") and b"<!DOCTYPE html>" in body
        assert headers["Vary"] == "Accept"
        status, headers, _ = fetch(url, "application/ld+json")
        assert headers["Content-Type"].startswith("application/ld+json")
        assert fetch(f"http://127.0.0.1:{port}/plan-opendata/indicators.csv", None)[0] == 200
        status, headers, body = fetch(f"http://127.0.0.1:{port}/plan-opendata/id/vocab", "text/turtle")
        assert status == 200 and headers["Content-Type"].startswith("text/turtle")   # the ontology,
        assert {str(t) for t in pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.TURTLE)} == \
            subjects(published)[f"{BASE}vocab"] | about_the_document(f"{BASE}vocab", ".ttl")
        site = f"http://127.0.0.1:{port}/plan-opendata/"
        for accept, answer in (("text/turtle", "catalog.ttl"), ("application/ld+json", "catalog.jsonld")):
            for path in ("dataset/miyagi-ict-plan-initiatives", "catalog", "distribution/rdf/graph.ttl"):
                assert see_other(f"{site}id/{path}", accept) == (303, f"{site}{answer}", "Accept")
        for path, page in {**browser_pages(published), **OTHER_CATALOGUE_URIS}.items():   # a browser
            assert see_other(f"{site}id/{path}", BROWSER) == (303, f"{site}{page}", "Accept"), path
        assert see_other(f"{site}id/organization/lg-040002", "text/turtle")[0] == 200
        assert see_other(f"{site}id/dataset/", "text/turtle")[0] == 404
    finally:
        server.terminate()
        server.wait(timeout=10)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None                 # the 303 itself is the answer under test


def see_other(url: str, accept: str | None) -> tuple[int, str | None, str | None]:
    """(status, Location, Vary) of a request, redirects not followed."""
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers.get("Location"), response.headers.get("Vary")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location"), error.headers.get("Vary")


DCAT_DISTRIBUTION = "http://www.w3.org/ns/dcat#distribution"
# catalogue URIs of no dataset: a browser lands on the portal's landing page
OTHER_CATALOGUE_URIS = {"catalog": "index.html", "period/2014-04-01_2017-03-31": "index.html",
                        "dataset/no-such-dataset": "index.html"}


def browser_pages(published: Path) -> dict[str, str]:
    """Where a browser is to land for each dataset and distribution URI of the catalogue (by
    its path below base_uri): the portal page of the dataset, the page whose schema.org
    description has the dataset's URI as @id (for a distribution, the dataset's whose
    dcat:distribution it is); the landing page for a dataset with no page (the site: the
    portal itself)."""
    pages_of = {}
    for page in sorted((published / "datasets").glob("*.html")):
        script = page.read_text(encoding="utf-8").split('<script type="application/ld+json">', 1)[1]
        pages_of[json.loads(script.split("</script>", 1)[0])["@id"]] = f"datasets/{page.name}"
    catalogue = pyoxigraph.parse((published / "catalog.ttl").read_bytes(),
                                 format=pyoxigraph.RdfFormat.TURTLE)
    pages = {}
    for triple in catalogue:
        if triple.predicate.value == DCAT_DISTRIBUTION:
            page = pages_of.get(triple.subject.value, "index.html")
            pages[triple.subject.value[len(BASE):]] = pages[triple.object.value[len(BASE):]] = page
    return pages


def catalogue_uris(published: Path) -> set[str]:
    """The catalogue's subjects under base_uri (fragments dropped: they share their URI's
    answer) that have no document of the linked data's."""
    catalogue = pyoxigraph.parse((published / "catalog.ttl").read_bytes(),
                                 format=pyoxigraph.RdfFormat.TURTLE)
    uris = {t.subject.value.split("#")[0] for t in catalogue
            if isinstance(t.subject, pyoxigraph.NamedNode) and t.subject.value.startswith(BASE)}
    return {uri for uri in uris if not (published / f"id/{document_name(uri, BASE)}.html").is_file()}


def test_every_catalogue_uri_without_a_document_is_one_the_servers_send_to_the_catalogue(published):
    """The rule the server configurations carry (a pattern of the paths export/dcat.py mints)
    covers every URI the catalogue mints: none is left to a 404."""
    uris = catalogue_uris(published)
    assert f"{BASE}catalog" in uris and f"{BASE}dataset/miyagi-ict-plan-initiatives" in uris
    assert f"{BASE}distribution/rdf/graph.ttl" in uris and f"{BASE}period/2014-04-01_2017-03-31" in uris
    assert f"{BASE}organization/lg-040002" not in uris        # the publisher: its own documents
    assert len(uris) == 115
    assert [uri for uri in uris if catalogue_document(uri[len(BASE):], None) is None] == []


def test_every_dataset_and_distribution_uri_names_its_dataset_page_by_the_rule(published):
    """For a browser, the routes (made from the publication's name alone) name the portal page
    of each dataset of the catalogue, and of its distributions; the servers send the landing
    page when the page named does not exist, as for the site, whose page is the portal."""
    pages = browser_pages(published)
    assert len(pages) == 12 + 94            # datasets, distributions
    initiatives, plan = "datasets/miyagi-ict-plan-initiatives.html", \
        "datasets/plan-miyagi-ict-plan-2014-2016.html"
    assert pages["dataset/miyagi-ict-plan-initiatives"] == initiatives
    assert pages["distribution/excel/initiatives.xlsx"] == initiatives
    assert pages["distribution/schemas/terms-excel.json"] == "datasets/miyagi-ict-plan-terms.html"
    assert pages["dataset/plan-miyagi-ict-plan-2014-2016"] == plan
    assert pages["distribution/plans/miyagi-ict-plan-2014-2016/graph.nt"] == plan
    assert pages["distribution/rdf/graph.ttl"] == "datasets/miyagi-ict-plan-linked-data.html"
    assert pages["distribution/miyagi-ict-plan.sqlite"] == "datasets/miyagi-ict-plan-database.html"
    assert pages["distribution/server/apache.htaccess"] == "datasets/miyagi-ict-plan-metadata.html"
    assert "distribution/id/.htaccess" not in pages        # Apache serves no .ht file
    assert pages["dataset/miyagi-ict-plan-site"] == "index.html"       # the portal: no page
    assert pages["distribution/site-manifest.json"] == "index.html"
    routes = catalogue_pages(CONFIG.name)
    for name, page in pages.items():
        assert (published / page).is_file()
        named = catalogue_document(name, BROWSER, routes)
        assert named == page or (page == "index.html" and not (published / named).is_file()), name
        assert catalogue_document(name, "text/turtle", routes) == "catalog.ttl"


@pytest.mark.parametrize("accept, answer", [("text/turtle", "catalog.ttl"),
                                            ("application/ld+json", "catalog.jsonld")])
def test_the_local_server_sends_a_catalogue_uri_to_the_catalogue(published, served, accept, answer):
    """A dataset is no document: its URI answers 303 See Other to the catalogue's file that
    describes it, chosen by Accept, which does describe it."""
    for path in ("dataset/miyagi-ict-plan-initiatives", "catalog", "distribution/rdf/graph.ttl"):
        assert see_other(f"{served}id/{path}", accept) == (303, f"/{answer}", "Accept")
    status, _, body = fetch(f"{served}id/dataset/miyagi-ict-plan-initiatives", accept)  # followed
    assert status == 200 and body == (published / answer).read_bytes()
    assert see_other(f"{served}id/dataset/", accept)[0] == 404
    assert see_other(f"{served}id/organization/lg-040002", accept)[0] == 200     # its documents


@pytest.mark.parametrize("accept", [BROWSER, None])
def test_the_local_server_sends_a_browser_to_the_page_of_a_catalogue_uri(published, served, accept):
    """A browser asking for a dataset's URI lands on that dataset's page of the portal, for a
    distribution's on its dataset's; for the catalogue's other URIs on the landing page."""
    for path, page in {**browser_pages(published), **OTHER_CATALOGUE_URIS}.items():
        assert see_other(f"{served}id/{path}", accept) == (303, f"/{page}", "Accept"), path
    status, _, body = fetch(f"{served}id/dataset/miyagi-ict-plan-initiatives", accept)  # followed
    page = published / "datasets" / "miyagi-ict-plan-initiatives.html"
    assert status == 200 and body == page.read_bytes()
    assert see_other(f"{served}id/dataset/", accept)[0] == 404
    assert see_other(f"{served}id/organization/lg-040002", accept)[0] == 200     # its documents


@pytest.mark.parametrize("path", ["id/%00", "id/" + "a" * 5000, "%00/index.html", "rdf/graph.ttl%00"])
def test_the_local_server_answers_a_path_no_file_can_have_with_404(served, path):
    """A NUL or a name longer than the disk allows: serve printed a traceback (ValueError:
    embedded null byte, OSError: File name too long) and dropped the connection."""
    for accept in ("text/turtle", None):
        assert see_other(served + path, accept)[0] == 404


def test_a_label_too_long_to_name_a_file_mints_a_shortened_uri_that_resolves(
        tmp_path, source_text):
    """A 参考 document named in 90 characters (270 bytes of UTF-8): its URI's documents
    (`…/document/<name>.jsonld`) could not be written (a file's name holds 255 bytes), and the
    whole publish failed: `rdf.formats stage failed: File name too long`. A label longer than a
    file's name can be is minted as its first characters and 12 hex digits of its SHA-256: a
    URI of the label alone, the same in every run, whose documents are written and whose
    title is the label in full."""
    import csv
    import hashlib
    from urllib.parse import quote
    from pipeline.publish import publish
    printed = "情報システムに係る業務継続計画（i-BCP）"
    name = "宮城県" + "情報システムに係る業務継続計画" * 6 + "(i-BCP)"    # (widths folded)
    assert len(name) == 100 and len(name.encode("utf-8")) > 255
    assert source_text.count(f"\n{printed}\n") == 1
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "plan.txt").write_text(source_text.replace(
        f"\n{printed}\n", f"\n{name.replace('(', '（').replace(')', '）')}\n"), encoding="utf-8")
    out = tmp_path / "out"
    publish(raw, out, load_config(ROOT / "pipeline.toml"), lambda message: None)
    with (out / "references.csv").open(encoding="utf-8", newline="") as handle:
        assert name in {row["label"] for row in csv.DictReader(handle)}
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
    segment = next(path.name for path in (out / "id" / "plan" / "plan" / "document").glob("*.ttl")
                   if path.name.endswith(f"-{digest}.ttl"))[:-len(".ttl")]
    assert name.startswith(segment[:-13]) and len(segment.encode("utf-8")) <= 200
    uri = f"{BASE}plan/plan/document/{quote(segment, safe='-_.~')}"
    graph = (out / "rdf" / "graph.nt").read_text(encoding="utf-8")
    assert f'<{uri}> <http://purl.org/dc/terms/title> "{name}"' in graph
    for suffix in (".html", ".jsonld"):
        assert (out / "id" / "plan" / "plan" / "document" / f"{segment}{suffix}").is_file()


def test_a_name_holding_a_slash_or_a_question_mark_mints_a_uri_with_its_own_documents(
        tmp_path, source_text):
    """A department printed `総務部/広報課` was minted `…/lg-040002/総務部%2F広報課`, whose
    documents were written as those of the division 広報課 of 総務部 (`…/総務部/広報課`): one
    page for two resources. A document named `…とは？` (`?` once folded) was minted, but its
    documents never written (no file is named with `?`), so its URI resolved nowhere; nor were
    those of one named `概要.html`, as a document's file is. Such a name is minted as those too
    long to name a file are: its first characters (`/`, `?` replaced by `-`) and 12 hex digits
    of its SHA-256."""
    import hashlib
    from urllib.parse import quote
    from pipeline.publish import publish
    lines = source_text.split("\n")
    assert (lines[697], lines[553][:17], lines[298]) == (
        "担当 総務部 税務課", "<p>担当 総務部 広報課</p>", "宮城県情報システム最適化計画")
    lines[697] = "担当 総務部/広報課 税務課"
    lines[298] = "宮城県情報システム最適化計画とは？"
    assert lines[344] == "宮城県情報システム最適化計画"           # (2-1-9's, a line of its own)
    lines[344] = "概要.html"                                   # as a document's file ends
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "data" / "raw", raw)
    (raw / "miyagi-ict-plan-2014-2016-field2.txt").write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "out"
    publish(raw, out, load_config(ROOT / "pipeline.toml"), lambda message: None)
    minted = subjects(out)
    for name, uri in (("総務部/広報課", f"{BASE}organization/lg-040002/総務部-広報課-"),
                      ("概要.html", f"{BASE}{PLAN}document/概要.html-"),
                      ("宮城県情報システム最適化計画とは?",
                       f"{BASE}{PLAN}document/宮城県情報システム最適化計画とは--")):
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
        assert quote(uri + digest, safe=":/-_.~") in minted, name
    assert f"{BASE}organization/lg-040002/{quote('総務部')}/{quote('広報課')}" in minted
    assert_every_uri_has_its_documents(out, minted)
