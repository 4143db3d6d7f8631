"""Static web portal of a publication: HTML pages a person can read, search and download from,
written from the description of the publication publish holds in memory (export/description.py:
the package, the plans, the tables' records and the datasets with their files), the Table
Schemas, the files themselves and the publication settings.

Every page comes from the Jinja2 templates in `templates/` (autoescaping on: every text from the
data is escaped; JSON in a page escapes `<`, `>` and `&`): `base.html` is the layout, the
partials the header, footer, breadcrumbs, links and the SVG pictures. A division restyles the
portal with a folder of its own templates, any of which replaces the project's template of the
same name (`[site] templates` in pipeline.toml). Every link between pages is relative, so the
site works from any web server, object store, CDN, a subfolder or file://; there is no external
script, font, stylesheet or image.

Pages (all under the published folder):

- `index.html`: the catalogue, one `<article class="dataset">` per dataset;
- `datasets/<name>.html`: metadata, resources (size, SHA-256, download), CSV previews, schema.org
  Dataset JSON-LD;
- `plans/index.html`, `plans/<plan>/index.html`, `plans/<plan>/item-<n>.html`: plans (計画) by
  publisher, each with its fields and items, charts of status and departments, the Gantt overview
  of its initiatives and its indicators;
- `initiatives/index.html`: every initiative, searchable in the browser (`assets/search.js`);
- `initiatives/<id>.html`: one per initiative (fields, indicators, schedule, references, terms);
- `departments/index.html`, `departments/<slug>.html`: one per responsible department;
- `assets/style.css`, `assets/search.js`: copied from `assets/`;
- `site-manifest.json`: every other file of the site (path, bytes, SHA-256, media type, sorted by
  path). The DCAT catalogue and the CKAN metadata describe the site as two distributions, the
  portal (landing page `index.html`) and this manifest, however many pages there are.

The pages describe the files present when `write_site` runs, except the site itself and the
portal metadata (`ckan/`, `catalog.*`), so they come out the same whether they are written before
or after those.

Modules: `context.py` derives what the pages need from the description once (records grouped
by initiative, plans, items, departments, the footer's credit); `pages.py` gives each page its
template and small context; `charts.py` computes the pictures' geometry; the schema.org
description of a dataset page comes from `export/schemaorg.py`; `templating.py` the Jinja2
environment; `writer.py` writes the files (initiative pages by forked
workers for large publications) and the manifest.
"""

from ..listing import SITE_FILES, SITE_FOLDERS
from .context import department_slug, is_listed, is_site_path
from .templating import json_script
from .writer import page_workers, remove_site, write_site

__all__ = ["SITE_FILES", "SITE_FOLDERS", "department_slug", "is_listed", "is_site_path",
           "json_script", "page_workers", "remove_site", "write_site"]
