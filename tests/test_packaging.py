"""The built wheel ships the scenario library and runs outside the repository (issue 10).

Builds the wheel with ``pip wheel . --no-deps``, installs it with ``pip install --no-deps
--target TMP`` and, from a temporary directory with ``PYTHONPATH=TMP`` (dependencies come from
the test's environment), runs ``tradesim run historical`` and the app's entry script.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBRARY_FILES = sorted(p.name for p in (ROOT / "scenarios").glob("*.toml"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    wheels = tmp_path_factory.mktemp("wheel")
    target = tmp_path_factory.mktemp("site")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q",
                            "-w", str(wheels)], capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = wheels.glob("tradesim-*.whl")
    with zipfile.ZipFile(wheel) as z:
        shipped = sorted(n.split("/")[-1] for n in z.namelist()
                         if n.startswith("sim/scenarios/") and n.endswith(".toml"))
        assert "sim/app/main.py" in z.namelist()
    assert shipped == LIBRARY_FILES
    inst = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q",
                           "--target", str(target), str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert inst.returncode == 0, inst.stderr[-2000:]
    return target


def _env(site: Path) -> dict:
    return {**os.environ, "PYTHONPATH": str(site)}


def test_wheel_finds_library_outside_repo(installed, tmp_path):
    probe = subprocess.run(
        [sys.executable, "-c", "import sim, sim.scenario.loader as l; "
         "print(sim.__file__); print(l.LIBRARY); print(len(list(l.LIBRARY.glob('*.toml'))))"],
        cwd=tmp_path, env=_env(installed), capture_output=True, text=True, timeout=120)
    assert probe.returncode == 0, probe.stderr
    module, library, count = probe.stdout.split("\n")[:3]
    assert Path(module).is_relative_to(installed)       # the installed copy, not the repo
    assert Path(library) == installed / "sim" / "scenarios"
    assert int(count) == len(LIBRARY_FILES)


def test_wheel_runs_historical_outside_repo(installed, tmp_path):
    run = subprocess.run([sys.executable, "-m", "sim.cli", "run", "historical", "--out", "out"],
                         cwd=tmp_path, env=_env(installed), capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, (run.stdout[-2000:], run.stderr[-2000:])
    assert (tmp_path / "out" / "historical.parquet").is_file()
    assert "Traceback" not in run.stderr


def test_wheel_app_renders_outside_repo(installed, tmp_path):
    script = (
        "from streamlit.testing.v1 import AppTest\n"
        "import sim.app.main as m\n"
        "at = AppTest.from_file(str(m.SCRIPT), default_timeout=240).run()\n"
        "assert not at.exception, [e.value for e in at.exception]\n"
        "print(m.SCRIPT); print(len(at.metric))\n")
    app = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=_env(installed),
                         capture_output=True, text=True, timeout=600)
    assert app.returncode == 0, app.stderr[-3000:]
    path, metrics = app.stdout.strip().split("\n")[-2:]
    assert Path(path).is_relative_to(installed)
    assert int(metrics) >= 5           # the Compare page's headline cards were drawn
