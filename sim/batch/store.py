"""The results store: a directory of Parquet part files, a manifest and DuckDB views.

Layout::

    DIR/manifest.json          plan id, kind, scenario hashes, parameters, seed, package
                               version, baseline id, chunking, timings
    DIR/parts/part-00012.parquet   one per finished chunk, written to a temporary file and
                               renamed (atomic): the rows of its runs; the runs' records
                               (status, error, seconds, parameters, policy outcomes) are in
                               the file's metadata under ``tradesim.runs``

A chunk is finished when its part file exists, so a crash (even ``kill -9``) loses at most the
chunks in flight and a rerun computes exactly the missing ones: every run is stored once.

Tables (:meth:`ResultsStore.results`, DuckDB view ``results``): ``run_id, scenario, reference,
draw, date, region, partner, sector, metric, value, unit``. ``reference`` is empty for
outcomes against the model's solved baseline and names the reference scenario on rows that are
differences *run − reference* of the same draw (percent metrics ``*_pct`` as ratios
``100((1+a/100)/(1+b/100) − 1)``, everything else as plain differences).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["ResultsStore", "StoreError"]

MANIFEST = "manifest.json"
PARTS = "parts"
RUNS_KEY = b"tradesim.runs"
FORMAT = "tradesim-batch/1"


class StoreError(ValueError):
    """A directory that is not a results store, or a store of another plan."""


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ResultsStore:
    """Read (and, for the runner, write) a batch results directory."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        mf = self.path / MANIFEST
        if not self.path.is_dir():
            raise StoreError(f"{self.path}: not a results store (no such directory)")
        if not mf.is_file():
            raise StoreError(f"{self.path}: not a results store (no {MANIFEST}); create one "
                             "with tradesim mc or tradesim sweep")
        try:
            self._manifest = json.loads(mf.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"{mf}: unreadable manifest ({exc})") from None
        if self._manifest.get("format") != FORMAT:
            raise StoreError(f"{mf}: format {self._manifest.get('format')!r} is not {FORMAT!r}")

    # ------------------------------------------------------------------ creation
    @classmethod
    def create(cls, path: str | Path, manifest: dict) -> ResultsStore:
        """Create the store for a plan, or open it if it holds the same plan."""
        p = Path(path)
        mf = p / MANIFEST
        if mf.is_file():
            store = cls(p)
            if store.manifest.get("plan_id") != manifest["plan_id"]:
                raise StoreError(
                    f"{p}: holds another plan ({store.manifest.get('kind')} of "
                    f"{', '.join(store.manifest.get('scenario_names', []))}, plan "
                    f"{store.manifest.get('plan_id')}; this one is {manifest['plan_id']}). "
                    "Use a new --out directory, or rerun the same command to resume.")
            return store
        if p.exists() and (not p.is_dir() or any(p.iterdir())):
            raise StoreError(f"{p}: exists and is not an empty directory or a results store")
        (p / PARTS).mkdir(parents=True, exist_ok=True)
        _atomic_write_bytes(mf, json.dumps({**manifest, "format": FORMAT}, indent=1,
                                           default=str).encode())
        return cls(p)

    def update_manifest(self, **fields: Any) -> None:
        self._manifest.update(fields)
        _atomic_write_bytes(self.path / MANIFEST,
                            json.dumps(self._manifest, indent=1, default=str).encode())

    def part_path(self, index: int) -> Path:
        return self.path / PARTS / f"part-{index:05d}.parquet"

    def finished_chunks(self) -> set[int]:
        """Chunks with a part file."""
        out = set()
        for f in (self.path / PARTS).glob("part-*.parquet"):
            try:
                out.add(int(f.stem.split("-")[1]))
            except (IndexError, ValueError):
                continue
        return out

    def failed_chunks(self) -> set[int]:
        return {int(r["chunk"]) for r in self._run_records() if r["status"] != "ok"}

    def write_part(self, index: int, results: pd.DataFrame, runs: list[dict]) -> Path:
        """Write chunk ``index`` atomically (temporary file + rename)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(results, preserve_index=False)
        meta = dict(table.schema.metadata or {})
        meta[RUNS_KEY] = json.dumps(runs, default=str).encode()
        table = table.replace_schema_metadata(meta)
        target = self.part_path(index)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd")
        _atomic_write_bytes(target, sink.getvalue().to_pybytes())
        return target

    # ------------------------------------------------------------------ reading
    @property
    def manifest(self) -> dict:
        """The manifest (plan, scenario hashes, parameters, seeds, version, baseline,
        timings)."""
        return dict(self._manifest)

    @property
    def kind(self) -> str:
        """``"mc"`` or ``"sweep"``."""
        return str(self._manifest.get("kind"))

    def _parts(self) -> list[Path]:
        return sorted((self.path / PARTS).glob("part-*.parquet"))

    def _run_records(self) -> list[dict]:
        import pyarrow.parquet as pq

        out: list[dict] = []
        for f in self._parts():
            meta = pq.read_schema(f).metadata or {}
            out.extend(json.loads(meta.get(RUNS_KEY, b"[]")))
        return out

    def runs(self) -> pd.DataFrame:
        """One row per finished run: run_id, scenario, draw, chunk, status (ok/failed),
        error, seconds, ``params`` and ``outcome`` (JSON) and one column per parameter
        (``param:PATH``) and per policy uncertainty (``outcome:NAME``)."""
        recs = self._run_records()
        cols = ["run_id", "scenario", "draw", "chunk", "status", "error", "seconds", "params",
                "outcome"]
        if not recs:
            return pd.DataFrame({c: [] for c in cols})
        df = pd.DataFrame([{**{c: r.get(c) for c in cols if c not in ("params", "outcome")},
                            "params": json.dumps(r.get("params", {}), sort_keys=True),
                            "outcome": json.dumps(r.get("outcome", {}), sort_keys=True)}
                           for r in recs])
        for name in sorted({k for r in recs for k in r.get("params", {})}):
            df[f"param:{name}"] = [r.get("params", {}).get(name) for r in recs]
        for name in sorted({k for r in recs for k in r.get("outcome", {})}):
            df[f"outcome:{name}"] = [r.get("outcome", {}).get(name) for r in recs]
        return df.sort_values(["scenario", "draw", "run_id"], kind="stable").reset_index(
            drop=True)

    def results(self) -> pd.DataFrame:
        """The tidy results of every finished run (see the module docstring)."""
        return self.query("SELECT * FROM results ORDER BY scenario, reference, draw, date, "
                          "region, metric")

    def _connect(self):
        import duckdb

        con = duckdb.connect()
        parts = self._parts()
        if parts:
            files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in parts)
            con.execute(f"CREATE VIEW results AS SELECT * FROM read_parquet([{files}])")
        else:
            con.execute("CREATE TABLE results (run_id VARCHAR, scenario VARCHAR, reference "
                        "VARCHAR, draw BIGINT, date TIMESTAMP, region VARCHAR, partner "
                        "VARCHAR, sector VARCHAR, metric VARCHAR, value DOUBLE, unit VARCHAR)")
        runs = self.runs()
        con.register("runs_df", runs)
        con.execute("CREATE VIEW runs AS SELECT * FROM runs_df")
        return con

    def query(self, sql: str) -> pd.DataFrame:
        """Run DuckDB SQL over the views ``results`` and ``runs``."""
        con = self._connect()
        try:
            return con.execute(sql).df()
        finally:
            con.close()

    def summarize(self, metrics: Sequence[str] | None = None, by: Sequence[str] | None = None,
                  quantiles: Sequence[float] = (0.05, 0.5, 0.95), *,
                  regions: Sequence[str] | None = None,
                  reference: bool | None = None) -> pd.DataFrame:
        """Quantile bands over runs.

        Each run's values are first averaged within the group (e.g. the months of a year),
        then the quantiles are taken across runs. ``by``: any of ``scenario, reference,
        region, partner, sector, year, date`` or a sweep parameter ``param:PATH``; default
        ``scenario, reference, region, year``. ``metrics`` default ``welfare_pct``.
        ``reference``: True = only differences vs the reference, False = only outcomes vs the
        solved baseline, None = both. Columns ``p5, p50, p95`` (for the default quantiles),
        ``mean``, ``runs``.
        """
        metrics = list(metrics or ["welfare_pct"])
        by = list(by or ["scenario", "reference", "region", "year"])
        allowed = {"scenario", "reference", "region", "partner", "sector", "year", "date",
                   "draw", "run_id"}
        runs_cols = set(self.runs().columns)
        for b in by:
            if b not in allowed and b not in runs_cols:
                pcols = sorted(c for c in runs_cols if c.startswith("param:"))
                raise StoreError(f"--by {b!r}: choose from {', '.join(sorted(allowed))} or a "
                                 f"parameter column ({', '.join(pcols) or 'none'})")
        for q in quantiles:
            if not 0 <= q <= 1:
                raise StoreError(f"quantile {q} outside [0, 1]")
        sel = {"year": "year(r.date) AS year", "date": "r.date AS date"}
        group_exprs = [sel.get(b, f'r."{b}"' if b not in runs_cols or b in allowed
                               else f'u."{b}"') for b in by]
        names = [f'"{b}"' for b in by]
        where = ["r.metric IN (" + ", ".join(_lit(m) for m in metrics) + ")"]
        if regions:
            where.append("r.region IN (" + ", ".join(_lit(x) for x in regions) + ")")
        if reference is True:
            where.append("r.reference <> ''")
        elif reference is False:
            where.append("r.reference = ''")
        qcols = ", ".join(f"quantile_cont(value, {q}) AS {_qname(q)}" for q in quantiles)
        inner_sel = ", ".join(g if " AS " in g else f"{g} AS {n}"
                              for g, n in zip(group_exprs, names, strict=True))
        sql = f"""
            WITH per_run AS (
              SELECT r.run_id, r.metric, r.unit, {inner_sel}, avg(r.value) AS value
              FROM results r LEFT JOIN runs u ON r.run_id = u.run_id
              WHERE {' AND '.join(where)}
              GROUP BY ALL)
            SELECT {', '.join(names)}, metric, unit, count(*) AS runs, {qcols},
                   avg(value) AS mean
            FROM per_run GROUP BY ALL ORDER BY {', '.join(names)}, metric"""
        return self.query(sql)

    def sweep_response(self, metric: str = "welfare_pct", region: str | None = None,
                       param: str | None = None, *, year: int | None = None,
                       reference: bool | None = None) -> pd.DataFrame:
        """The response of ``metric`` to a swept parameter: one row per run (and region),
        the run's mean over its dates (or over ``year``), sorted by the parameter."""
        runs = self.runs()
        pcols = [c for c in runs.columns if c.startswith("param:")]
        if not pcols:
            raise StoreError(f"{self.path}: no swept parameters in this store")
        if param is None:
            col = pcols[0]
        else:
            col = param if param.startswith("param:") else f"param:{param}"
            if col not in pcols:
                raise StoreError(f"parameter {param!r} not in this store (swept: "
                                 f"{', '.join(c[6:] for c in pcols)})")
        where = [f"r.metric = {_lit(metric)}"]
        if region:
            where.append(f"r.region = {_lit(region)}")
        if year is not None:
            where.append(f"year(r.date) = {int(year)}")
        if reference is True:
            where.append("r.reference <> ''")
        elif reference is False:
            where.append("r.reference = ''")
        others = [c for c in pcols if c != col]     # the other swept parameters, as columns
        extra = "".join(f', u."{c}" AS "{c[6:]}"' for c in others)
        df = self.query(f"""
            SELECT u."{col}" AS "{col[6:]}"{extra}, r.scenario, r.reference, r.region,
                   r.run_id, r.metric, r.unit, avg(r.value) AS value
            FROM results r JOIN runs u ON r.run_id = u.run_id
            WHERE {' AND '.join(where)} GROUP BY ALL""")
        keys = [col[6:], *(c[6:] for c in others), "reference", "region"]
        return df.sort_values(keys, kind="stable").reset_index(drop=True)

    def export(self, out: str | Path, what: str = "results") -> Path:
        """Write ``results`` or ``runs`` as CSV."""
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        if what == "results":
            con = self._connect()
            try:
                con.execute(f"COPY (SELECT * FROM results ORDER BY scenario, reference, draw, "
                            f"date, region, metric) TO {_lit(str(out))} (HEADER, DELIMITER ',')")
            finally:
                con.close()
        elif what == "runs":
            self.runs().to_csv(out, index=False)
        else:
            raise StoreError(f"export: what must be 'results' or 'runs', got {what!r}")
        return out


def _lit(s: str) -> str:
    return "'" + str(s).replace("'", "''") + "'"


def _qname(q: float) -> str:
    pct = q * 100
    return f"p{pct:g}".replace(".", "_")
