"""The generated portal in a real headless Chromium (Debian's chromium + chromedriver),
driven by selenium, with axe-core checking accessibility on every page type.

Every page kind is opened at 1280 px and at 375 px (a phone): the page is never wider than the
viewport, axe finds no serious or critical violation, and a screenshot of each is saved in
test-artifacts/screenshots/ (`<kind>-<width>.png`). Without Chromium the tests are skipped, except in CI
(REQUIRE_BROWSER=1, set by .ci/run), where a missing browser is a failure.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
SOURCE = ROOT / "data" / "raw" / "miyagi-ict-plan-2014-2016-field2.txt"
SCRIPT_TITLE = "<script>alert(1)</script>"
PLAN = "miyagi-ict-plan-2014-2016"
OTHER_PLAN = "fukushima-ict-plan-2015-2017"
TWO_PLANS = f"""[[source]]
file = "miyagi.txt"
title = "みやぎICT推進プラン 分野2"
plan_id = "{PLAN}"
plan_title = "みやぎICT推進プラン(2014～2016)"
publisher = "宮城県"
publisher_code = "040002"
period_start_fy = 2014
period_end_fy = 2016

[[source]]
file = "fukushima.txt"
title = "福島県ICT計画 分野2"
plan_id = "{OTHER_PLAN}"
plan_title = "福島県ICT計画(2015～2017)"
publisher = "福島県"
publisher_code = "070009"
period_start_fy = 2015
period_end_fy = 2017
"""

AXE_MISSING = (f"axe-core ({AXE.relative_to(ROOT)}: `make test` runs `npm ci` "
               f"{'but it has not been run' if shutil.which('npm') else 'when npm is installed; npm is not'})")
missing = [name for name, found in (("chromium (Debian package chromium)", CHROMIUM),
                                    ("chromedriver (Debian package chromium-driver)", CHROMEDRIVER),
                                    (AXE_MISSING, AXE.exists())) if not found]
if missing and os.environ.get("REQUIRE_BROWSER"):
    raise RuntimeError(f"browser tests need {', '.join(missing)} (installed by .ci/run)")
pytestmark = pytest.mark.skipif(bool(missing), reason=f"not installed: {', '.join(missing)}")


def publish(raw: Path, out: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "pipeline", "publish", "--raw-dir", str(raw),
                             "--out-dir", str(out)], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The real source, a test source whose 2-1-1 title is a script, and two plans of two
    publishers numbered alike, each published and served on 127.0.0.1: yields
    {"real": (url, folder), "script": (url, folder), "two": (url, folder)}."""
    root = tmp_path_factory.mktemp("site")
    text = SOURCE.read_text(encoding="utf-8")
    manifest = (SOURCE.parent / "sources.toml").read_text(encoding="utf-8")
    sources = {"real": ({SOURCE.name: text}, manifest),
               "script": ({SOURCE.name: text.replace("みやぎハイパーウェブの運用",
                                                     "&lt;script&gt;alert(1)&lt;/script&gt;")}, manifest),
               "two": ({"miyagi.txt": text, "fukushima.txt": text.replace(
                   "みやぎハイパーウェブの運用", "ふくしまハイパーウェブの運用").replace(
                   "担当 警察本部", "担当 県警察本部")}, TWO_PLANS)}
    servers, served = [], {}
    for name, (files, manifest) in sources.items():
        raw = root / name / "raw"
        raw.mkdir(parents=True)
        for file, source in files.items():
            (raw / file).write_text(source, encoding="utf-8")
        (raw / "sources.toml").write_text(manifest, encoding="utf-8")
        out = root / name / "published"
        publish(raw, out)
        handler = functools.partial(QuietHandler, directory=str(out))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        served[name] = (f"http://127.0.0.1:{server.server_address[1]}/", out)
    yield served
    for server in servers:
        server.shutdown()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                 f"--user-data-dir={tmp_path_factory.mktemp('profile')}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(downloads)})
    driver.set_page_load_timeout(30)
    set_width(driver, 1280)
    driver.downloads = downloads
    yield driver
    driver.quit()


WIDTHS = (1280, 375)


def set_width(driver, width: int, height: int = 1000) -> None:
    """The viewport `width` CSS px wide (a phone's at 375: mobile emulation, as a browser window
    cannot be made that narrow)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def screenshot(driver, name: str, width: int = 1280) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    set_width(driver, width, min(max(height, 800), 4000))
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
    set_width(driver, 1280)


def axe_violations(driver) -> list[str]:
    """Serious and critical axe-core violations of the current page."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s)"
            for v in result if v["impact"] in ("serious", "critical")]


def test_catalogue_lists_datasets_with_licence(browser, site):
    from selenium.webdriver.common.by import By

    url, out = site["real"]
    browser.get(url + "index.html")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ja"
    titles = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "article.dataset h2 a")]
    assert len(titles) >= 3 and any("取組" in t for t in titles) and any("指標" in t for t in titles)
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "クリエイティブ・コモンズ 表示 4.0 国際" in body
    assert "出典：宮城県「みやぎICT推進プラン(2014～2016) 分野2 行政の情報化」" in body
    assert "を加工して作成" in body
    screenshot(browser, "catalogue")


def test_dataset_page_downloads_the_csv_it_links(browser, site):
    from selenium.webdriver.common.by import By

    url, out = site["real"]
    browser.get(url + "index.html")
    link = next(a for a in browser.find_elements(By.CSS_SELECTOR, "article.dataset h2 a")
                if a.get_attribute("href").endswith("-indicators.html"))
    link.click()
    assert "指標" in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_elements(By.CSS_SELECTOR, "table#metadata caption")
    preview = browser.find_element(By.CSS_SELECTOR, "table.preview").text
    assert "38.25%" in preview and "2012-03-31" in preview
    screenshot(browser, "dataset")
    download = next(a for a in browser.find_elements(By.CSS_SELECTOR, "#resources a.download")
                    if a.get_attribute("href").endswith("/indicators.csv"))
    download.click()
    target = browser.downloads / "indicators.csv"
    deadline = time.monotonic() + 20
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert target.read_bytes() == (out / "indicators.csv").read_bytes()


def test_filter_to_2_2_5_and_read_its_indicator(browser, site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    url, _ = site["real"]
    browser.get(url + "initiatives/index.html")
    results = lambda: browser.find_elements(By.CSS_SELECTOR, "#results li a")   # noqa: E731
    WebDriverWait(browser, 10).until(lambda d: len(results()) == 33)      # the plan's index loaded
    Select(browser.find_element(By.ID, "status")).select_by_visible_text("継続")
    browser.find_element(By.ID, "q").send_keys("電子申請")
    WebDriverWait(browser, 5).until(lambda d: 0 < len(results()) < 33)
    assert "2-2-5" in [a.text.split()[0] for a in results()]
    assert browser.find_element(By.ID, "count").text
    next(a for a in results() if a.text.startswith("2-2-5")).click()
    assert "電子申請オンライン利用の促進" in browser.find_element(By.TAG_NAME, "h1").text
    indicators = browser.find_element(By.ID, "indicators").text
    for value in ("電子申請利用率(県)", "38.25%", "2012-03-31", "43%", "2017-03-31"):
        assert value in indicators
    screenshot(browser, "initiative")


def test_a_script_title_is_shown_as_text(browser, site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    url, _ = site["script"]
    browser.get(url + f"initiatives/{PLAN}/2-1-1.html")
    assert SCRIPT_TITLE in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.execute_script(
        "return [...document.scripts].filter(s => s.textContent.includes('alert(1)') "
        "&& s.type !== 'application/json' && s.type !== 'application/ld+json').length") == 0
    browser.get(url + "initiatives/index.html")
    WebDriverWait(browser, 10).until(lambda d: SCRIPT_TITLE in d.find_element(By.ID, "results").text)
    assert not browser.find_elements(By.CSS_SELECTOR, "#results script")


def page_kinds(out: Path) -> dict[str, str]:
    """One page of every kind of the portal in `out`."""
    from pipeline.export.site import department_slug

    initiative = json.loads((out / "initiatives.json").read_text(encoding="utf-8"))["records"][11]
    item = next(p.name for p in sorted((out / "publishers" / PLAN).glob("item-*.html")))
    return {
        "catalogue": "index.html",
        "dataset": "datasets/miyagi-ict-plan-indicators.html",
        "dataset-initiatives": "datasets/miyagi-ict-plan-initiatives.html",
        "initiatives": "initiatives/index.html",
        "initiative": f"initiatives/{PLAN}/2-2-5.html",
        "initiative-12": f"initiatives/{PLAN}/{initiative['id']}.html",
        "departments": "departments/index.html",
        "department": f"departments/{department_slug(initiative['department'], '040002')}.html",
        "publishers": "publishers/index.html",
        "plan": f"publishers/{PLAN}/index.html",
        "item": f"publishers/{PLAN}/{item}",
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_kind_fits_the_viewport_and_passes_axe(browser, site, width):
    """At 1280 px and at 375 px: no page scrolls sideways (wide tables and charts scroll inside
    their frames), the main menu is on screen, no preview row is taller than 10 lines, and axe
    finds no serious or critical violation."""
    from selenium.webdriver.common.by import By

    url, out = site["real"]
    set_width(browser, width)
    try:
        for kind, path in page_kinds(out).items():
            browser.get(url + path)
            wide = browser.execute_script(
                "return [document.documentElement.scrollWidth, window.innerWidth]")
            assert wide[0] <= wide[1], (kind, width, wide)
            menu = browser.find_elements(By.CSS_SELECTOR, ".site-nav a")
            assert len(menu) == 4 and all(a.is_displayed() for a in menu), kind
            right = browser.execute_script(
                "return Math.max(...[...document.querySelectorAll('.site-nav a')]"
                ".map(a => a.getBoundingClientRect().right))")
            assert right <= width, (kind, width, right)
            assert axe_violations(browser) == [], (kind, width)
            lines = browser.execute_script(   # preview rows, in lines of their text
                "return [...document.querySelectorAll('table.preview tbody tr')].map(r =>"
                " r.getBoundingClientRect().height / parseFloat(getComputedStyle(r).lineHeight))")
            assert max(lines, default=0) <= 10, (kind, width, max(lines))
            if kind == "dataset-initiatives":
                assert len(lines) == 20
            screenshot(browser, f"{kind}-{width}", width)
            set_width(browser, width)
    finally:
        set_width(browser, 1280)


def test_charts_are_drawn_with_their_numbers(browser, site):
    """The indicator of 2-2-5 and its schedule are drawn as SVG images with a title."""
    from selenium.webdriver.common.by import By

    url, _ = site["real"]
    browser.get(url + f"initiatives/{PLAN}/2-2-5.html")
    charts = browser.find_elements(By.CSS_SELECTOR, "svg[role='img']")
    assert len(charts) >= 2
    for chart in charts:
        assert chart.size["width"] > 300 and chart.size["height"] > 80
    title = charts[0].find_element(By.TAG_NAME, "title").get_attribute("textContent")
    assert "38.25%" in title and "43%" in title


def test_the_search_filtered_to_one_plan_shows_only_its_initiatives(browser, site):
    """Two plans numbered alike (2-1-1 …): choosing a plan loads its search index and lists its
    initiatives alone, linked to its own pages; a publisher chooses its plans."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    url, out = site["two"]
    browser.get(url + "initiatives/index.html")
    results = lambda: browser.find_elements(By.CSS_SELECTOR, "#results li")   # noqa: E731
    WebDriverWait(browser, 10).until(lambda d: len(results()) == 66)
    Select(browser.find_element(By.ID, "plan")).select_by_value(OTHER_PLAN)
    WebDriverWait(browser, 10).until(lambda d: len(results()) == 33)
    assert {li.get_attribute("data-plan") for li in results()} == {OTHER_PLAN}
    links = [li.find_element(By.TAG_NAME, "a") for li in results()]
    assert all(f"/initiatives/{OTHER_PLAN}/" in a.get_attribute("href") for a in links)
    assert "ふくしまハイパーウェブの運用" in links[0].text
    assert not any("みやぎハイパーウェブ" in a.text for a in links)
    assert "33" in browser.find_element(By.ID, "count").text
    Select(browser.find_element(By.ID, "plan")).select_by_value("")
    Select(browser.find_element(By.ID, "publisher")).select_by_value("040002")
    WebDriverWait(browser, 10).until(
        lambda d: {li.get_attribute("data-plan") for li in results()} == {PLAN})
    browser.get(url + f"initiatives/{OTHER_PLAN}/2-1-1.html")
    assert "ふくしまハイパーウェブの運用" in browser.find_element(By.TAG_NAME, "h1").text
    screenshot(browser, "search-two-plans")


def test_a_chosen_publisher_offers_only_its_own_plans_and_departments(browser, site):
    """Publisher, plan and department never contradict each other: with a publisher chosen,
    another publisher's plan or department (県警察本部, the other plan's alone) cannot be
    chosen, and an address naming both (a link kept from before) shows the publisher's
    initiatives, none of the other's plan."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    url, _ = site["two"]
    results = lambda: browser.find_elements(By.CSS_SELECTOR, "#results li")   # noqa: E731
    browser.get(url + f"initiatives/index.html?publisher=040002&plan={OTHER_PLAN}")
    WebDriverWait(browser, 10).until(lambda d: len(results()) == 33)
    assert {li.get_attribute("data-plan") for li in results()} == {PLAN}
    plan = Select(browser.find_element(By.ID, "plan"))
    assert plan.first_selected_option.get_attribute("value") == ""
    offered = {o.get_attribute("value") for o in plan.options if o.is_enabled()}
    assert offered == {"", PLAN}
    department = Select(browser.find_element(By.ID, "department"))
    offered = {o.get_attribute("value") for o in department.options if o.is_enabled()}
    assert "警察本部" in offered and "県警察本部" not in offered
    Select(browser.find_element(By.ID, "publisher")).select_by_value("")
    WebDriverWait(browser, 10).until(lambda d: len(results()) == 66)
    assert {o.get_attribute("value") for o in plan.options if o.is_enabled()} == {"", PLAN, OTHER_PLAN}
    assert {"警察本部", "県警察本部"} <= {o.get_attribute("value") for o in department.options
                                       if o.is_enabled()}
    browser.get(url + "initiatives/index.html?publisher=040002&department=県警察本部")
    WebDriverWait(browser, 10).until(lambda d: len(results()) == 33)
    assert Select(browser.find_element(By.ID, "department")).first_selected_option.get_attribute(
        "value") == ""


COUNT_HISTORY = """window.countHistory = [];
new MutationObserver(function () {
  var count = document.getElementById("count");
  var history = window.countHistory;
  if (count && history[history.length - 1] !== count.textContent) { history.push(count.textContent); }
}).observe(document, {childList: true, characterData: true, subtree: true});"""


def test_the_count_never_says_none_while_an_index_loads_or_when_it_fails(browser, site):
    """While a plan's search index is on its way, the count says it is loading; when it cannot
    be loaded (here: one plan's is blocked, then fails as it runs), it says so, naming the
    plan. It never announces 0
    initiatives (it is a live region): every text it shows is recorded from the page's start."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    url, _ = site["two"]
    recorder = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                                       {"source": COUNT_HISTORY})["identifier"]
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": [f"*{OTHER_PLAN}/search-index.js"]})
    failed = "福島県ICT計画(2015～2017)の取組を読み込めませんでした。取組の一覧は各計画のページにあります。"
    try:
        browser.get(url + "initiatives/index.html")
        WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "count").text == failed)
        shown = browser.execute_script("return window.countHistory")
        assert "取組を読み込んでいます…" in shown and shown[-1] == failed, shown
        assert not any(text.startswith("全0件") for text in shown), shown
        assert not browser.find_element(By.ID, "no-results").is_displayed()
    finally:
        browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
        browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": recorder})
    broken = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": (
        "var handed; Object.defineProperty(window, 'initiativeIndex', {"
        " set: function (f) { handed = f; },"
        f" get: function () {{ return function (slug, records) {{ if (slug === '{OTHER_PLAN}')"
        " { throw new Error('an index that fails as it runs'); } return handed(slug, records); }; } });")})
    try:                    # one plan's index loads but fails as it runs: said too
        browser.get(url + "initiatives/index.html")
        WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "count").text == failed)
    finally:
        browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument",
                                {"identifier": broken["identifier"]})
    browser.get(url + "initiatives/index.html")
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "count").text == "全66件")


def test_the_count_groups_thousands_as_the_pages_do(browser, site):
    """The script's counts read like the pages' own (全32,544件): each plan's index handed over
    here 600 times longer, so that 1,200 initiatives are counted."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    url, _ = site["two"]
    longer = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": (
        "var handed; Object.defineProperty(window, 'initiativeIndex', {"
        " set: function (f) { handed = f; },"
        " get: function () { return function (slug, records) { var many = [];"
        " for (var i = 0; i < 600; i++) { many.push(records[i % records.length]); }"
        " return handed(slug, many); }; } });")})
    try:
        browser.get(url + "initiatives/index.html")
        WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "count").text ==
                                         "全1,200件中 1,200件（先頭500件を表示）")
    finally:
        browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument",
                                {"identifier": longer["identifier"]})


def test_keyboard_reaches_the_search_box_with_a_visible_focus(browser, site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    url, _ = site["real"]
    browser.get(url + "initiatives/index.html")
    body = browser.find_element(By.TAG_NAME, "body")
    for _ in range(30):
        body.send_keys(Keys.TAB) if browser.switch_to.active_element == body else \
            browser.switch_to.active_element.send_keys(Keys.TAB)
        if browser.switch_to.active_element.get_attribute("id") == "q":
            break
    focused = browser.switch_to.active_element
    assert focused.get_attribute("id") == "q"
    outline = browser.execute_script(
        "const s = getComputedStyle(arguments[0]); return [s.outlineStyle, s.outlineWidth];", focused)
    assert outline[0] != "none" and float(outline[1].rstrip("px")) >= 2
