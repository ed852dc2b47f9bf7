"""Helpers shared by the real-browser test and ``benchmarks/bench_app.py``.

``streamlit run app.py`` on a free port, and small Playwright helpers that read the headline
metrics, wait for a change, wait for the script to finish and move a slider by keyboard.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("TRADESIM_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-dev-shm-usage"]
_METRICS_JS = """(start) => {
    const out = [];
    for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
        const l = m.querySelector('[data-testid="stMetricLabel"]');
        const v = m.querySelector('[data-testid="stMetricValue"]');
        if (l && v && (start === "" || l.innerText.trim().startsWith(start)))
            out.push(v.innerText.trim());
    }
    return out.length ? out.join(" | ") : null;
}"""
_IDLE_JS = ("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
            " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText"
            ".includes('Running')")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str] | None = None,
                 timeout: float = 60) -> tuple[subprocess.Popen, str]:
    """``streamlit run app.py`` on a free port; the process and its URL once it is healthy."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
           "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise TimeoutError(f"streamlit did not become healthy at {url} in {timeout} s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def metric_value(page, label_start: str) -> str | None:
    """Values of the metrics whose labels start with ``label_start`` ("" = all), joined."""
    return page.evaluate(_METRICS_JS, label_start)


def wait_metric_change(page, label_start: str, before: str | None, timeout: float = 30) -> str:
    """Wait until the metric's text differs from ``before``; returns the new text."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        v = metric_value(page, label_start)
        if v is not None and v != before:
            return v
        page.wait_for_timeout(10)
    raise TimeoutError(f"metric {label_start!r} stayed at {before!r} for {timeout} s")


def wait_idle(page, timeout: float = 60) -> None:
    """Wait until Streamlit reports the script is not running."""
    page.wait_for_function(_IDLE_JS, timeout=timeout * 1000)


def wait_settled(page, label_start: str, quiet: float = 2.0, timeout: float = 90) -> str:
    """Wait until the app is idle and the metric's text has not changed for ``quiet``
    seconds (several key presses can start several reruns; an idle moment between two of
    them is not the end); returns the text."""
    t0 = time.monotonic()
    last, since = None, time.monotonic()
    while time.monotonic() - t0 < timeout:
        wait_idle(page, timeout=timeout)
        v = metric_value(page, label_start)
        if v != last:
            last, since = v, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return v
        page.wait_for_timeout(100)
    raise TimeoutError(f"metric {label_start!r} did not settle in {timeout} s")


def outside_requests(page) -> list[str]:
    """Collect (into the returned list, as they happen) every request the page makes to a
    host other than 127.0.0.1 (the app must run offline)."""
    seen: list[str] = []

    def check(req) -> None:
        url = req.url
        if not (url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:",
                                "about:"))):
            seen.append(url)

    page.on("request", check)
    return seen


def colour_pixels(png: bytes, rgb: tuple[int, int, int], tol: int = 40) -> int:
    """Number of pixels within ``tol`` (per channel) of ``rgb`` in a PNG screenshot."""
    import io

    import numpy as np
    from PIL import Image

    a = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return int((np.abs(a - np.array(rgb)).max(axis=2) <= tol).sum())


def nav(page, title: str) -> None:
    """Go to another page through the sidebar (same session, unlike ``page.goto``)."""
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first.click()


def move_slider(page, label: str, key: str = "ArrowRight", presses: int = 1) -> None:
    """Focus the thumb of the slider labelled ``label`` and press a key."""
    box = page.locator('[data-testid="stSlider"]').filter(has_text=label).first
    box.get_by_role("slider").focus()
    for _ in range(presses):
        page.keyboard.press(key)
