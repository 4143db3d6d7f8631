"""The generated portal in a real headless Chromium (Debian's chromium + chromedriver),
driven by selenium, with axe-core checking accessibility on every page type.

Screenshots of the catalogue, a dataset and an initiative page are saved in
test-artifacts/screenshots/. Without Chromium the tests are skipped, except in CI
(REQUIRE_BROWSER=1, set by .ci/run), where a missing browser is a failure.
"""

from __future__ import annotations

import functools
import http.server
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
    """The real source and a test source whose 2-1-1 title is a script, each published and
    served on 127.0.0.1: yields {"real": (url, folder), "script": (url, folder)}."""
    root = tmp_path_factory.mktemp("site")
    text = SOURCE.read_text(encoding="utf-8")
    sources = {"real": text,
               "script": text.replace("みやぎハイパーウェブの運用", "&lt;script&gt;alert(1)&lt;/script&gt;")}
    servers, served = [], {}
    for name, source in sources.items():
        raw = root / name / "raw"
        raw.mkdir(parents=True)
        (raw / SOURCE.name).write_text(source, encoding="utf-8")
        shutil.copyfile(SOURCE.parent / "sources.toml", raw / "sources.toml")
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
    driver.downloads = downloads
    yield driver
    driver.quit()


def screenshot(driver, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(height, 800), 4000))
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
    driver.set_window_size(1280, 1000)


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
    assert len(results()) == 33
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

    url, _ = site["script"]
    browser.get(url + "initiatives/2-1-1.html")
    assert SCRIPT_TITLE in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.execute_script(
        "return [...document.scripts].filter(s => s.textContent.includes('alert(1)') "
        "&& s.type !== 'application/json' && s.type !== 'application/ld+json').length") == 0
    browser.get(url + "initiatives/index.html")
    assert SCRIPT_TITLE in browser.find_element(By.ID, "results").text


PAGE_TYPES = {
    "catalogue": "index.html",
    "dataset": "datasets/miyagi-ict-plan-indicators.html",
    "initiatives": "initiatives/index.html",
    "initiative": "initiatives/2-1-12.html",
    "departments": "departments/index.html",
}


@pytest.mark.parametrize("page", PAGE_TYPES)
def test_no_serious_accessibility_violations(browser, site, page):
    url, _ = site["real"]
    browser.get(url + PAGE_TYPES[page])
    assert axe_violations(browser) == []


def test_no_serious_accessibility_violations_on_a_department_page(browser, site):
    from selenium.webdriver.common.by import By

    url, _ = site["real"]
    browser.get(url + "departments/index.html")
    browser.find_element(By.CSS_SELECTOR, "main a[href$='.html']").click()
    assert browser.find_element(By.TAG_NAME, "h1").text
    assert axe_violations(browser) == []


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
