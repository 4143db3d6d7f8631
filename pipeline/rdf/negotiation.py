"""Content negotiation for the URIs of documents.py: two rules, each in three places.

A request for a path that is not a file, but for which `<path>.html`, `<path>.ttl` and
`<path>.jsonld` exist, is answered with the document the Accept header asks for: Turtle for
`text/turtle`, JSON-LD for `application/ld+json`, else HTML (a browser); `Vary: Accept`.
A URI of the catalogue (`BASE/catalog`, `BASE/dataset/…`: CATALOGUE_PATTERN) that has no
document is answered `303 See Other` to what describes it, chosen the same way: catalog.ttl,
catalog.jsonld, or for a browser the portal's page of it (a dataset's page, or its dataset's
for a distribution: the PageRoute list of export/pageroutes.py; the portal's list of datasets,
index.html, when no route names a page that exists). A resource such as a dataset is no
document; the catalogue cannot have documents per URI, as it states the other files'
checksums. The publication ships the rules for nginx (`server/nginx.conf`, generated from
`base_uri` and `download_base`) and Apache (`server/apache.htaccess`, to download, and the same
file as `.htaccess` in the documents folder, where it takes effect), and `pipeline.serve`
applies them locally (`make serve`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..export.listing import APACHE_RULES, CATALOG_FILES, NGINX_CONFIG, SITE_LANDING_PAGE, installed_rules
from ..mediatypes import media_types
from .documents import DocumentTarget

# Media types the server configuration declares, by suffix (without the dot).
MEDIA_TYPES = {suffix[1:]: media for suffix, media in media_types(
    ".html", ".ttl", ".jsonld", ".nt", ".rdf", ".json", ".csv", ".css", ".js", ".md", ".xlsx").items()}
# (media type asked for, suffix served), in order of preference; HTML is the default.
NEGOTIATED = tuple((media, suffix) for suffix, media in media_types(".ttl", ".jsonld").items())
DEFAULT_SUFFIX = ".html"
# The URIs export/dcat.py and export/identifiers.py mint under base_uri, by their path below
# it: the catalogue, its datasets, distributions, data services, agents, contact points,
# locations, periods, rights statements and formats (an agent that is a publisher of the data
# has its documents: those answer first).
CATALOGUE_PATTERN = ("^(catalog|(dataset|distribution|service|organization|contact|location|"
                     "period|rights|format)/.+)$")
# The catalogue's file answering a catalogue URI, by the suffix choose_suffix picks (HTML: the
# page a PageRoute names, else the landing page).
CATALOGUE_DOCUMENTS = {".ttl": CATALOG_FILES[0], ".jsonld": CATALOG_FILES[1],
                       DEFAULT_SUFFIX: SITE_LANDING_PAGE}


@dataclass(frozen=True)
class PageRoute:
    """The catalogue URIs whose path below base_uri matches `pattern` as a whole (a regular
    expression Python and PCRE, so nginx and Apache, read alike) have the portal page `page`, a
    path in the published folder where `$1` stands for what the pattern's group matched."""

    pattern: str
    page: str


def choose_suffix(accept: str | None) -> str:
    """The document for an Accept header: the first of NEGOTIATED with the highest q > 0
    named in it (`*/*` alone, or a browser's header, gives HTML)."""
    best, best_q = DEFAULT_SUFFIX, 0.0
    html_q = 0.0
    for item in (accept or "").split(","):
        media, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.strip().lower()
        if media in ("text/html", "application/xhtml+xml"):
            html_q = max(html_q, quality)
        for asked, suffix in NEGOTIATED:
            if media == asked and quality > best_q:
                best, best_q = suffix, quality
    return best if best_q > 0 and best_q >= html_q else DEFAULT_SUFFIX


def catalogue_document(name: str, accept: str | None,
                       routes: tuple[PageRoute, ...] = ()) -> str | None:
    """The published file (path in the published folder) a 303 sends a catalogue URI to, by
    its path below base_uri (`dataset/…`) and the Accept header (for a browser, the page the
    first route matching it names: the server checks it exists, else sends the landing page);
    None for any other path."""
    if re.match(CATALOGUE_PATTERN, name) is None:
        return None
    suffix = choose_suffix(accept)
    if suffix != DEFAULT_SUFFIX:
        return CATALOGUE_DOCUMENTS[suffix]
    for route in routes:
        if (found := re.fullmatch(route.pattern, name)) is not None:
            return route.page.replace("$1", found.group(1)) if found.re.groups else route.page
    return CATALOGUE_DOCUMENTS[DEFAULT_SUFFIX]


def write_server_configs(out: Path, target: DocumentTarget, download_base: str,
                         routes: tuple[PageRoute, ...]) -> list[str]:
    """server/nginx.conf, server/apache.htaccess and its copy <documents folder>/.htaccess;
    returns their paths."""
    (out / "server").mkdir(parents=True, exist_ok=True)
    (out / NGINX_CONFIG).write_text(nginx_config(target, download_base, routes), encoding="utf-8")
    rules = apache_config(target, routes)
    installed = installed_rules(target.folder)
    (out / installed).parent.mkdir(parents=True, exist_ok=True)
    for path in (APACHE_RULES, installed):
        (out / path).write_text(rules, encoding="utf-8")
    return [NGINX_CONFIG, APACHE_RULES, installed]


def nginx_config(target: DocumentTarget, download_base: str, routes: tuple[PageRoute, ...]) -> str:
    """An nginx configuration for the http block: the published folder at the path of
    download_base, and the URIs under base_uri negotiated to their documents (a catalogue URI
    to the catalogue, or to the portal page `routes` name for it)."""
    site = urlsplit(download_base).path or "/"
    uris = urlsplit(target.base_uri)
    documents = f"{site}{target.folder}"
    negotiated = "\n".join(f'    "~*{media.replace("+", "[+]")}" "{suffix}";'
                           for media, suffix in NEGOTIATED)
    catalogue = "\n".join(f'    "~*{media.replace("+", "[+]")}" "{CATALOGUE_DOCUMENTS[suffix]}";'
                          for media, suffix in NEGOTIATED)
    pages = "\n".join(f'    "~^{re.escape(documents)}{route.pattern}$" "{route.page}";'
                      for route in routes)
    types = "\n".join(f"        {media} {suffix};" for suffix, media in sorted(MEDIA_TYPES.items()))
    moved = "" if uris.path == documents else f"""
    # the URIs' path differs from the documents' folder: map one to the other
    location {uris.path} {{
        rewrite ^{uris.path}(.*)$ {documents}$1 last;
    }}
"""
    return f"""\
# Generated by the pipeline for base_uri {target.base_uri}
# and download_base {download_base}. Include it in the http block of nginx.conf; copy the
# published folder to <root>{site} and set `root`, `listen` and `server_name` for your host.
map $http_accept $plan_document_suffix {{
    default "{DEFAULT_SUFFIX}";
{negotiated}
}}

# the portal's page of a catalogue URI (export/pageroutes.py): the first pattern matching it
map $uri $plan_catalogue_page {{
    default "{CATALOGUE_DOCUMENTS[DEFAULT_SUFFIX]}";
{pages}
}}

map $http_accept $plan_catalogue_document {{
    default $plan_catalogue_page;
{catalogue}
}}

server {{
    listen 80;
    server_name {uris.hostname or "localhost"};
    root /srv/www;
    charset utf-8;
    charset_types text/turtle application/ld+json application/n-triples text/csv text/markdown;
    types {{
{types}
    }}
{moved}
    # {target.base_uri}<path> -> {documents}<path>.html / .ttl / .jsonld by the Accept header
    location {documents} {{
        add_header Vary Accept always;
        try_files $uri $uri$plan_document_suffix =404;
    }}

    # a URI of the catalogue with no document -> 303 See Other to the catalogue describing it,
    # or to its page for a browser (the landing page when that page does not exist)
    location ~ "^{re.escape(documents)}{CATALOGUE_PATTERN[1:]}" {{
        add_header Vary Accept always;
        try_files $uri $uri$plan_document_suffix @plan_catalogue;
    }}
    location @plan_catalogue {{
        add_header Vary Accept always;
        if (!-f $document_root{site}$plan_catalogue_document) {{
            return 303 {site}{CATALOGUE_DOCUMENTS[DEFAULT_SUFFIX]};
        }}
        return 303 {site}$plan_catalogue_document;
    }}
}}
"""


def _regex(media: str) -> str:
    return media.replace("+", "\\+")


def apache_config(target: DocumentTarget, routes: tuple[PageRoute, ...]) -> str:
    """.htaccess for the documents folder (mod_rewrite, mod_headers, mod_mime, mod_dir): a
    folder on disk is no document (404), also where a URI is both (organization/<id> and
    organization/<id>.html …), never mod_dir's redirect to `<folder>/` nor a listing."""
    rules = "\n".join(f"""\
RewriteCond %{{HTTP_ACCEPT}} {_regex(media)} [NC]
RewriteCond %{{REQUEST_FILENAME}} !-f
RewriteCond %{{REQUEST_FILENAME}}{suffix} -f
RewriteRule ^(.+)$ $1{suffix} [L]
""" for media, suffix in NEGOTIATED)
    site = urlsplit(target.download_base).path or "/"
    no_document = f"""\
RewriteCond %{{REQUEST_FILENAME}} !-f
RewriteCond %{{REQUEST_FILENAME}}{DEFAULT_SUFFIX} !-f
"""
    catalogue = "".join(f"""{no_document}\
RewriteCond %{{HTTP_ACCEPT}} {_regex(media)} [NC]
RewriteRule {CATALOGUE_PATTERN} {site}{CATALOGUE_DOCUMENTS[suffix]} [R=303,L]
""" for media, suffix in NEGOTIATED)
    landing = f"{site}{CATALOGUE_DOCUMENTS[DEFAULT_SUFFIX]} [R=303,L]"
    installed = installed_rules(target.folder)
    # %1: the published folder on disk, this file's folder (REQUEST_FILENAME before the path
    # matched, $0, or the part of it that exists) less the documents' folder
    pages = "".join(f"""{no_document}\
RewriteCond %{{REQUEST_FILENAME}}::$0 ^(.*/){re.escape(target.folder)}(.*)::\\2
RewriteCond %1{route.page} -f
RewriteRule ^{route.pattern}$ {site}{route.page} [R=303,L]
{no_document}RewriteRule ^{route.pattern}$ {landing}
""" for route in routes)
    return f"""\
# Generated by the pipeline: the URIs under {target.base_uri}
# resolve to their documents in {target.folder} by the Accept header (HTML by default), and those
# of the catalogue to the catalogue. The rules take effect as {installed} of the published
# folder, where publish puts them; {APACHE_RULES} is the same file, to download (Apache
# serves no `.ht` file): copy it to {installed} where a deployment lacks it (a copy that
# skipped dotfiles).
# A folder is no document: no listing, and no mod_dir redirect to `<folder>/` (it answered a
# URI that is a folder too, such as organization/<id>, before these rules); the last rule: 404.
Options -MultiViews -Indexes
<IfModule mod_dir.c>
DirectorySlash Off
</IfModule>
AddType text/turtle .ttl
AddType application/ld+json .jsonld
AddCharset utf-8 .ttl .jsonld .html
<IfModule mod_headers.c>
Header always merge Vary Accept
</IfModule>
RewriteEngine On
# also for this folder's own URL, without `/`
RewriteOptions AllowNoSlash
{rules}RewriteCond %{{REQUEST_FILENAME}} !-f
RewriteCond %{{REQUEST_FILENAME}}{DEFAULT_SUFFIX} -f
RewriteRule ^(.+)$ $1{DEFAULT_SUFFIX} [L]
# a URI of the catalogue with no document: 303 See Other to the catalogue describing it, or
# to its page for a browser (export/pageroutes.py; the landing page when that does not exist)
{catalogue}{pages}{no_document}RewriteRule {CATALOGUE_PATTERN} {landing}
# a folder, this one included: 404, as in nginx
RewriteCond %{{REQUEST_FILENAME}} -d
RewriteRule ^ - [R=404,L]
"""
