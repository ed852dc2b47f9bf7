"""Real-browser test: ``streamlit run app.py`` in a subprocess, Debian chromium via Playwright,
at a 1280 px laptop width.

One walk through the app in one session: Compare loads; Build changes a control, the numbers
change; leaving for Compare and coming back keeps the Build state; Batch draws a sweep chart
with points (a dotted parameter name, which used to give a blank chart); Validation renders;
no request leaves 127.0.0.1 on the way. Skips with a reason when chromium or Playwright is
missing; with ``TRADESIM_REQUIRE_SHARED=1`` (CI) it fails instead.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import (
    ARGS,
    CHROMIUM,
    colour_pixels,
    metric_value,
    move_slider,
    nav,
    outside_requests,
    start_server,
    stop_server,
    wait_idle,
    wait_metric_change,
    wait_settled,
)

pytestmark = pytest.mark.browser
WIDTH = 1280
SCENARIO_BLUE = (0x1F, 0x4E, 0x79)  # first scenario colour of sim/app/charts.py


def _need(ok: bool, why: str) -> None:
    if ok:
        return
    if os.environ.get("TRADESIM_REQUIRE_SHARED") == "1":
        pytest.fail(why)
    pytest.skip(why)


@pytest.fixture(scope="module")
def sweep_store(tmp_path_factory) -> Path:
    batch = pytest.importorskip("sim.batch")
    root = tmp_path_factory.mktemp("browser_stores")
    sw = batch.sweep_plan("tpp12", ["model.adjustment_speed=0.2,0.6"], reference="historical",
                          reporting="annual", regions=["USA", "JPN"])
    batch.run_plan(sw, root / "sweep", executor_kind="serial")
    return root / "sweep"


@pytest.fixture(scope="module")
def browser():
    _need(Path(CHROMIUM).is_file() or shutil.which(CHROMIUM) is not None,
          f"chromium not found at {CHROMIUM} (Debian package 'chromium')")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need(False, "the playwright Python package is not installed (pip install -e '.[dev]')")
        return
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def server(sweep_store, browser) -> Iterator[str]:
    proc, url = start_server({"TRADESIM_RESULTS": str(sweep_store)})
    try:
        yield url
    finally:
        stop_server(proc)


def assert_no_exception(page) -> None:
    """No Streamlit exception box and no traceback text on the page."""
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in page.inner_text("body")


def test_walk_compare_build_batch_validation(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": WIDTH, "height": 900})
    outside = outside_requests(page)
    # Compare
    t0 = time.monotonic()
    page.goto(server, wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=120_000)
    first = wait_metric_change(page, "US welfare", None, timeout=120)
    load_s = time.monotonic() - t0
    assert first.endswith("%")   # real income relative to the reference (docs/metrics.md)
    wait_idle(page)
    assert_no_exception(page)

    # Build: change a control, the numbers change
    nav(page, "Build")
    page.get_by_role("heading", name="Build a scenario").first.wait_for(timeout=120_000)
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=120_000)
    wait_idle(page)
    page.get_by_role("tab", name="US tariffs on Japan").first.click()
    page.locator('[data-testid="stCheckbox"]').filter(
        has_text="Set US all-in tariffs").first.click()
    wait_idle(page)
    before = metric_value(page, "US–Japan trade")
    t1 = time.monotonic()
    move_slider(page, "all goods except", "ArrowRight", presses=4)
    after = wait_metric_change(page, "US–Japan trade", before, timeout=60)
    slider_s = time.monotonic() - t1
    after = wait_settled(page, "US–Japan trade")   # all four presses applied
    assert after != before
    assert_no_exception(page)

    # leave for Compare and come back: the Build state is kept
    nav(page, "Compare")
    page.get_by_role("heading", name="Compare scenarios").first.wait_for(timeout=60_000)
    wait_idle(page)
    nav(page, "Build")
    page.get_by_role("heading", name="Build a scenario").first.wait_for(timeout=60_000)
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=120_000)
    wait_idle(page)
    page.get_by_role("tab", name="US tariffs on Japan").first.click()
    box = page.locator('[data-testid="stCheckbox"]').filter(has_text="Set US all-in tariffs")
    assert box.locator("input").first.is_checked()
    assert metric_value(page, "US–Japan trade") == after

    # Batch: a sweep over a dotted parameter draws its line and points
    nav(page, "Batch results")
    page.get_by_role("heading", name="Batch results").first.wait_for(timeout=60_000)
    wait_idle(page, timeout=120)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    assert colour_pixels(chart.screenshot(), SCENARIO_BLUE) > 200
    assert_no_exception(page)

    # Validation at 1280 px
    nav(page, "Validation")
    page.get_by_role("heading", name="Validation").first.wait_for(timeout=120_000)
    page.get_by_role("heading", name="The 2025 US tariffs").first.wait_for(timeout=300_000)
    wait_idle(page, timeout=300)
    assert_no_exception(page)
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= WIDTH + 1, wide  # nothing forces a horizontal scroll at 1280 px

    assert outside == [], outside
    print(f"\nbrowser: Compare first card after {load_s:.1f} s; Build slider -> new number "
          f"after {slider_s:.2f} s")
    page.close()


@pytest.mark.parametrize("path,title", [("method", "Method & sources")])
def test_other_pages_render_without_exception(server, browser, path, title):
    """The remaining page opens in the browser with its title and no exception."""
    page = browser.new_page(viewport={"width": WIDTH, "height": 900})
    outside = outside_requests(page)
    page.goto(f"{server}/{path}", wait_until="domcontentloaded")
    page.get_by_role("heading", name=title).first.wait_for(timeout=120_000)
    wait_idle(page, timeout=120)
    assert_no_exception(page)
    assert outside == [], outside
    page.close()
