"""The generated `id/.htaccess` in a real Apache (Debian's apache2): every kind of URI answers as
in nginx and `make serve` (tests/test_uris.py), and every download of the catalogue is served,
with the published folder under the DocumentRoot and behind an Alias. One Apache serves both,
on two ports, for the module."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph
import pytest

from httpserver import free_port, stop_process
from test_uris import (BROWSER, CONFIG, OTHER_CATALOGUE_URIS, PLAN, browser_pages, fetch,
                       see_other)

APACHE = shutil.which("apache2") or ("/usr/sbin/apache2" if Path("/usr/sbin/apache2").exists() else None)
MODULES = Path("/usr/lib/apache2/modules")
# What the .htaccess uses, and what a Debian host has on besides: mod_dir (its trailing-slash
# redirect), mod_autoindex (listings) and mod_negotiation, which the .htaccess must tame.
LOADED = ("mpm_event", "authz_core", "alias", "mime", "rewrite", "headers", "dir", "autoindex",
          "negotiation")
# The overrides the .htaccess needs (README, "URIs that resolve").
OVERRIDES = "FileInfo Indexes Options=Indexes,MultiViews"
LAYOUTS = ("document-root", "alias")
# URIs with documents that are folders on disk too (mod_dir answered them 301 to `<uri>/`)
ALSO_FOLDERS = (f"{PLAN}initiative/2-2-5", "organization/lg-040002", PLAN.rstrip("/"), "vocab")
DOCUMENTS = ALSO_FOLDERS + ("vocab/Initiative", f"{PLAN}indicator/2-2-5-1/baseline")
ACCEPTS = ((BROWSER, ".html"), (None, ".html"), ("text/html", ".html"), ("text/turtle", ".ttl"),
           ("application/ld+json", ".jsonld"), ("application/n-triples", ".html"))
MEDIA = {".html": "text/html", ".ttl": "text/turtle", ".jsonld": "application/ld+json"}
# No document and no catalogue URI: folders (with and without `/`), the documents' folder itself,
# an unknown initiative; none is a listing of the folder.
NOT_FOUND = ("dataset/", f"{PLAN}initiative/9-9-9", "organization", "organization/", "concept",
             "concept/", PLAN, "")


def httpd_conf(server_root: Path, www: Path, ports: dict[str, int]) -> str:
    """A throwaway configuration: Debian's defaults that matter here (listings on, as for
    /var/www; no file whose name starts with `.ht` served, as apache2.conf has it), the
    published folder at /plan-opendata/ under the DocumentRoot on one port and behind an Alias
    on the other. Apache refuses to serve as root: then Debian's www-data."""
    modules = "\n".join(f"LoadModule {name}_module {MODULES}/mod_{name}.so" for name in LOADED)
    user = "User www-data\nGroup www-data\n" if os.geteuid() == 0 else ""
    listen = "\n".join(f"Listen 127.0.0.1:{port}" for port in ports.values())
    return f"""\
ServerRoot {server_root}
PidFile {server_root}/httpd.pid
DefaultRuntimeDir {server_root}
ErrorLog {server_root}/error.log
ServerName 127.0.0.1
{user}{listen}
{modules}
TypesConfig /etc/mime.types
<FilesMatch "^\\.ht">
    Require all denied
</FilesMatch>
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory {www}>
    Options Indexes FollowSymLinks
    AllowOverride {OVERRIDES}
    Require all granted
</Directory>
<VirtualHost 127.0.0.1:{ports["document-root"]}>
    DocumentRoot {www}/root
</VirtualHost>
<VirtualHost 127.0.0.1:{ports["alias"]}>
    DocumentRoot {www}/empty
    Alias /plan-opendata {www}/root/plan-opendata
</VirtualHost>
"""


def answering(process: subprocess.Popen, ports: dict[str, int]) -> bool:
    """Whether the server listens on every port within 30 s (False once it has exited)."""
    deadline = time.monotonic() + 30
    while process.poll() is None and time.monotonic() < deadline:
        try:
            for port in ports.values():
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


@pytest.fixture(scope="module")
def apache(published: Path, tmp_path_factory):
    """{layout: the site's URL}: a copy of the published folder (in a folder Apache's user can
    read) served by Apache started with a throwaway configuration, stopped at the end."""
    if APACHE is None or not MODULES.is_dir():
        if os.environ.get("REQUIRE_APACHE"):
            pytest.fail("apache2 is missing (installed by .ci/run) and REQUIRE_APACHE is set")
        pytest.skip("not installed: apache2 (Debian package apache2)")
    server_root = tmp_path_factory.mktemp("apache")
    with tempfile.TemporaryDirectory(prefix="apache-www-") as folder, \
            (server_root / "stderr.log").open("w+b") as log:
        www = Path(folder)
        www.chmod(0o755)
        shutil.copytree(published, www / "root" / "plan-opendata", symlinks=True)
        (www / "empty").mkdir()
        for _ in range(3):      # a free port can be taken between the check and the bind
            ports = {layout: free_port() for layout in LAYOUTS}
            (server_root / "httpd.conf").write_text(httpd_conf(server_root, www, ports), encoding="utf-8")
            process = subprocess.Popen([APACHE, "-f", str(server_root / "httpd.conf"), "-DFOREGROUND"],
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
            if answering(process, ports):
                break
            stop_process(process)
        else:
            log.seek(0)
            errors = server_root / "error.log"
            pytest.fail("apache2 did not start: " + log.read().decode(errors="replace")[-800:]
                        + (errors.read_text(errors="replace")[-800:] if errors.exists() else ""))
        try:
            yield {layout: f"http://127.0.0.1:{port}/plan-opendata/" for layout, port in ports.items()}
        finally:
            stop_process(process)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("path", DOCUMENTS)
def test_apache_negotiates_each_uri_to_its_document(published, apache, layout, path):
    """200 with the document Accept asks for (HTML by default, also for N-Triples, which has no
    document per URI), byte for byte, `Vary: Accept`; also for a URI that is a folder on disk."""
    assert (published / "id" / path).is_dir() == (path in ALSO_FOLDERS)
    for accept, suffix in ACCEPTS:
        status, headers, body = fetch(f"{apache[layout]}id/{path}", accept)
        assert (status, headers["Content-Type"], headers["Vary"]) == \
            (200, f"{MEDIA[suffix]}; charset=utf-8", "Accept"), (path, accept)
        assert body == (published / "id" / f"{path}{suffix}").read_bytes(), (path, accept)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_apache_sends_a_catalogue_uri_to_the_catalogue_or_its_page(published, apache, layout):
    site = apache[layout]
    for accept, answer in (("text/turtle", "catalog.ttl"), ("application/ld+json", "catalog.jsonld")):
        for path in ("dataset/miyagi-ict-plan-initiatives", "catalog", "distribution/rdf/graph.ttl"):
            assert see_other(f"{site}id/{path}", accept) == (303, f"{site}{answer}", "Accept")
    for path, page in {**browser_pages(published), **OTHER_CATALOGUE_URIS}.items():   # a browser
        assert see_other(f"{site}id/{path}", BROWSER) == (303, f"{site}{page}", "Accept"), path


@pytest.mark.parametrize("layout", LAYOUTS)
def test_apache_answers_a_folder_or_an_unknown_uri_with_404(apache, layout):
    """A folder is no document: 404, as in nginx, never a listing (the host's `Options Indexes`
    on) nor a redirect to `<folder>/`; the published folder's other files are served as they are."""
    site = apache[layout]
    for path in NOT_FOUND:
        for accept in ("text/turtle", None):
            assert see_other(f"{site}id/{path}", accept) == (404, None, "Accept"), path
    assert see_other(f"{site}id", None)[:2] == (404, None)
    status, headers, _ = fetch(f"{site}indicators.csv", None)
    assert status == 200 and headers["Content-Type"].startswith("text/csv")


DOWNLOAD_URL = "http://www.w3.org/ns/dcat#downloadURL"


def download_urls(published: Path) -> list[str]:
    """The catalogue's download URLs of files in the published folder (under download_base)."""
    catalogue = pyoxigraph.parse((published / "catalog.ttl").read_bytes(),
                                 format=pyoxigraph.RdfFormat.TURTLE)
    return sorted(t.object.value for t in catalogue if t.predicate.value == DOWNLOAD_URL
                  and t.object.value.startswith(CONFIG.download_base))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_apache_serves_every_download_of_the_catalogue(published, apache, layout):
    """Every distribution the catalogue offers for download answers 200 with the file's bytes,
    the server configurations included (Debian's Apache answers 403 for `.htaccess`)."""
    urls = download_urls(published)
    assert f"{CONFIG.download_base}server/nginx.conf" in urls and len(urls) == 93
    for url in urls:
        path = url[len(CONFIG.download_base):]
        status, _, body = fetch(f"{apache[layout]}{path}", None)
        assert (status, body == (published / unquote(path)).read_bytes()) == (200, True), path
