"""Real-browser test: ``streamlit run app.py`` in a subprocess, Debian chromium via Playwright.

The app loads on Compare, a Build slider moves (keyboard on the thumb), the headline number
changes, no exception is shown, and a screenshot is saved. Skips with a reason when chromium or
Playwright is missing; with ``TRADESIM_REQUIRE_SHARED=1`` (CI) it fails instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("TRADESIM_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-dev-shm-usage"]

pytestmark = pytest.mark.browser


def _need(ok: bool, why: str) -> None:
    if ok:
        return
    if os.environ.get("TRADESIM_REQUIRE_SHARED") == "1":
        pytest.fail(why)
    pytest.skip(why)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_health(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not become healthy at {url} in {timeout} s")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
           "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_health(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


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


def metric_value(page, label_start: str) -> str | None:
    """Values of the metrics whose labels start with ``label_start`` ("" = all), joined."""
    return page.evaluate(
        """(start) => {
            const out = [];
            for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
                const l = m.querySelector('[data-testid="stMetricLabel"]');
                const v = m.querySelector('[data-testid="stMetricValue"]');
                if (l && v && (start === "" || l.innerText.trim().startsWith(start)))
                    out.push(v.innerText.trim());
            }
            return out.length ? out.join(" | ") : null;
        }""", label_start)


def wait_metric_change(page, label_start: str, before: str | None, timeout: float = 30) -> str:
    """Wait until the metric's text differs from ``before``; returns the new text."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        v = metric_value(page, label_start)
        if v is not None and v != before:
            return v
        page.wait_for_timeout(25)
    raise TimeoutError(f"metric {label_start!r} stayed at {before!r} for {timeout} s")


def wait_idle(page, timeout: float = 60) -> None:
    """Wait until Streamlit reports the script is not running."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText"
        ".includes('Running')", timeout=timeout * 1000)


def assert_no_exception(page) -> None:
    """No Streamlit exception box and no traceback text on the page."""
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in page.inner_text("body")


def move_slider(page, label: str, key: str = "ArrowRight", presses: int = 1) -> None:
    """Focus the thumb of the slider labelled ``label`` and press a key."""
    box = page.locator('[data-testid="stSlider"]').filter(has_text=label).first
    thumb = box.get_by_role("slider")
    thumb.focus()
    for _ in range(presses):
        page.keyboard.press(key)


def test_app_loads_slider_moves_number_changes(server, browser, tmp_path):
    """Compare loads; on Build the λ slider moves and the headline cards change."""
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    t0 = time.monotonic()
    page.goto(server, wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=120_000)
    first = wait_metric_change(page, "US welfare", None, timeout=120)
    load_s = time.monotonic() - t0
    assert first.endswith("pp")
    assert_no_exception(page)
    assert load_s < 120

    page.goto(f"{server}/build", wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=120_000)
    wait_idle(page)
    page.get_by_role("tab", name="Adjustment & horizon").first.click()
    page.wait_for_timeout(300)
    before = metric_value(page, "")
    t1 = time.monotonic()
    move_slider(page, "Adjustment speed")
    after = wait_metric_change(page, "", before, timeout=60)
    slider_s = time.monotonic() - t1
    assert after != before
    wait_idle(page)
    assert_no_exception(page)
    shot = tmp_path / "build.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    print(f"\nbrowser: Compare first card after {load_s:.1f} s; Build slider -> new number "
          f"after {slider_s:.2f} s")
    page.close()


@pytest.mark.parametrize("path,title", [("batch", "Batch results"),
                                        ("method", "Method & sources"),
                                        ("validation", "Validation")])
def test_every_page_renders_without_exception(server, browser, path, title):
    """Each page opens in the browser with its title and no exception."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/{path}", wait_until="domcontentloaded")
    page.get_by_role("heading", name=title).first.wait_for(timeout=120_000)
    wait_idle(page, timeout=120)
    assert_no_exception(page)
    page.close()
