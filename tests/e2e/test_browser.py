"""A real browser opens the pack offline: no console errors, no network, data shown as text.

Runs in headless Chromium (Debian's ``chromium``) driven by Playwright through its
executable path, with background networking disabled. Where Chromium is not installed it
skips, saying how to install it; in CI (``CI`` set) it must run.
"""

import os

import pandas as pd
import pytest

from .conftest import CHROMIUM, FLAGS, PERIOD, compass

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SCRIPT = "<script>alert('pwned')</script>"


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI: .ci/run installs Debian's chromium package.")
        pytest.skip(
            "Chromium not found: install it with `apt-get install chromium` to run the browser tests."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def _open(browser, path):
    page = browser.new_page()
    seen = {"errors": [], "requests": [], "dialogs": []}
    page.on(
        "console",
        lambda message: seen["errors"].append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.on("request", lambda request: seen["requests"].append(request.url))
    page.on("dialog", lambda dialog: (seen["dialogs"].append(dialog.message), dialog.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, seen


def _offline(seen, path):
    return [url for url in seen["requests"] if not url.startswith(("data:", "file://"))] == []


@pytest.mark.parametrize(
    "name", ["index.html", f"{PERIOD}/index.html", f"{PERIOD}/01_data_collection.html"]
)
def test_the_pack_opens_offline_without_console_errors(browser, pack, name):
    page, seen = _open(browser, pack.root / name)
    assert seen["errors"] == [] and _offline(seen, page)
    assert page.locator(".compass-runheader h1").count() == 1
    assert page.locator(".jp-CodeCell .jp-InputArea").count() == 0  # no code cells


def test_every_report_opens_with_title_run_header_and_summary(browser, pack):
    for html in sorted(pack.period.glob("*.html")):
        if html.name == "index.html":
            continue
        page, seen = _open(browser, html)
        assert seen["errors"] == [] and _offline(seen, page), html.name
        assert page.locator(".compass-runheader h1").inner_text().strip()
        assert page.locator(".compass-summary").count() >= 1, html.name
        page.close()


def test_every_page_fits_a_laptop_screen_tables_scroll_inside_it(browser, pack):
    """At 1,200 px no page scrolls sideways: a table wider than the page scrolls in its box."""
    for html in sorted(pack.period.glob("*.html")):
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1200, html.name
        page.close()


def test_a_data_string_holding_a_script_tag_shows_as_text(browser, tmp_path):
    folder = tmp_path / "acme"
    assert compass("demo", "--out", str(folder), "--profile", "small").returncode == 0
    products = pd.read_csv(folder / "products.csv")
    products.loc[products["family"] == products["family"].iloc[0], "family"] = f"Garden {SCRIPT}"
    products.to_csv(folder / "products.csv", index=False)
    root = tmp_path / "reports"
    result = compass(
        "run",
        "--period",
        PERIOD,
        "--set",
        f"source={folder}",
        "--out",
        str(root),
        "--only",
        "01_data_collection",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    page, seen = _open(browser, root / PERIOD / "01_data_collection.html")
    assert seen["dialogs"] == [] and seen["errors"] == []
    assert SCRIPT in page.locator("body").inner_text()
