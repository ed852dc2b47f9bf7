"""The numeric core imports numpy only (DESIGN.md §1)."""

from __future__ import annotations

import subprocess
import sys


def test_model_imports_no_simpy_streamlit_or_pandas():
    """Importing sim.model loads none of simpy, streamlit, pandas."""
    code = ("import sys, sim.model; bad = [m for m in ('simpy', 'streamlit', 'pandas') "
            "if m in sys.modules]; print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


def test_model_sources_import_nothing_outside_numpy():
    """No module of sim/model imports another third-party package or an upper layer."""
    from pathlib import Path

    import sim.model

    root = Path(sim.model.__file__).parent
    for path in root.glob("*.py"):
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith(("import ", "from ")):
                module = stripped.split()[1].split(".")[0]
                assert module in {"__future__", "numpy", "sim", "dataclasses", "typing",
                                  "collections", "math", "pathlib", "tomllib", "threading",
                                  "contextlib", "threadpoolctl"}, (
                    path.name, stripped)   # pathlib, tomllib: the metric registry file;
                # threading, contextlib, threadpoolctl: BLAS on one thread (sim/model/threads.py)
                if module == "sim":
                    assert stripped.split()[1].startswith("sim.model"), (path.name, stripped)
