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

Every part carries the plan id and its chunk index in its metadata (``tradesim.plan``,
``tradesim.chunk``) and is written with page checksums. Readers verify each part (readable
footer and pages, the result columns, this store's plan id, the chunk of its file name, run
records for that chunk) and leave out a bad one, listing it in :attr:`ResultsStore.bad_parts`;
the runner moves bad parts to ``DIR/quarantine/`` and recomputes their chunks.

Queries run in a sandboxed DuckDB connection (no file system or network access, no extension
loading; the parts are read by pyarrow and registered as tables) and never paste values read
from the store into SQL: values are bound as parameters and names are quoted identifiers.

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
LOCK = "lock"
PARTS = "parts"
QUARANTINE = "quarantine"
RUNS_KEY = b"tradesim.runs"
PLAN_KEY = b"tradesim.plan"
CHUNK_KEY = b"tradesim.chunk"
FORMAT = "tradesim-batch/1"
RESULT_COLUMNS = ("run_id", "scenario", "reference", "draw", "date", "region", "partner",
                  "sector", "metric", "value", "unit")
SANDBOX = {"enable_external_access": False, "autoload_known_extensions": False,
           "autoinstall_known_extensions": False, "lock_configuration": True}


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
            raise StoreError(f"{mf}: unreadable manifest ({type(exc).__name__})") from None
        if not isinstance(self._manifest, dict):
            raise StoreError(f"{mf}: not a results store manifest (a JSON object is expected)")
        if self._manifest.get("format") != FORMAT:
            raise StoreError(f"{mf}: format {str(self._manifest.get('format'))[:40]!r} is not "
                             f"{FORMAT!r}")
        if not isinstance(self._manifest.get("plan_id"), str):
            raise StoreError(f"{mf}: field plan_id is missing or not text")
        self._scan_key: tuple | None = None
        self._good: dict[int, tuple[Path, list[dict]]] = {}
        self._bad: list[tuple[Path, str]] = []

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
        if p.exists() and (not p.is_dir() or any(x.name != LOCK for x in p.iterdir())):
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
        """Chunks with a verified part file (see :meth:`verify`)."""
        self._scan()
        return set(self._good)

    def failed_chunks(self) -> set[int]:
        return {int(r["chunk"]) for r in self._run_records() if r["status"] != "ok"}

    @property
    def bad_parts(self) -> list[tuple[Path, str]]:
        """Part files left out by the readers: ``(path, reason)``."""
        self._scan()
        return list(self._bad)

    def _scan(self) -> None:
        """Verify every part once (again when the directory listing changes)."""
        files = sorted((self.path / PARTS).glob("part-*.parquet")) if (
            self.path / PARTS).is_dir() else []
        key = []
        for f in files:
            try:
                st = f.stat()
            except OSError:
                continue
            key.append((f.name, st.st_size, st.st_mtime_ns))
        if tuple(key) == self._scan_key:
            return
        good: dict[int, tuple[Path, list[dict]]] = {}
        bad: list[tuple[Path, str]] = []
        for f in files:
            index, records, reason = self._verify_file(f)
            if reason is None:
                good[index] = (f, records)
            else:
                bad.append((f, reason))
        self._scan_key, self._good, self._bad = tuple(key), good, bad

    def _verify_file(self, f: Path) -> tuple[int, list[dict], str | None]:
        import pyarrow.parquet as pq

        try:
            index = int(f.stem.split("-")[1])
        except (IndexError, ValueError):
            return -1, [], "file name is not part-NNNNN.parquet"
        try:
            pf = pq.ParquetFile(f, page_checksum_verification=True)
            meta = pf.schema_arrow.metadata or {}
            names = tuple(pf.schema_arrow.names)
            pf.read()       # every page (checksums, decompression)
        except Exception as exc:  # pyarrow raises several types for bad bytes
            return index, [], f"unreadable Parquet ({type(exc).__name__})"
        if names != RESULT_COLUMNS:
            return index, [], "columns are not those of a results part"
        if meta.get(PLAN_KEY, b"").decode("utf-8", "replace") != self._manifest["plan_id"]:
            return index, [], "written for another plan (or without a plan id)"
        if meta.get(CHUNK_KEY, b"").decode("utf-8", "replace") != str(index):
            return index, [], "its chunk index does not match its file name"
        try:
            records = json.loads(meta.get(RUNS_KEY, b""))
        except ValueError:
            return index, [], "run records are not valid JSON"
        if not isinstance(records, list) or not all(
                isinstance(r, dict) and isinstance(r.get("run_id"), str)
                and r.get("status") in ("ok", "failed") and r.get("chunk") == index
                and isinstance(r.get("params", {}), dict)
                and isinstance(r.get("outcome", {}), dict) for r in records):
            return index, [], "run records are malformed"
        return index, records, None

    def verify(self, chunks: Sequence[Sequence[str]]) -> list[tuple[Path, str]]:
        """Check the verified parts against a plan's chunks (run ids per chunk): a part must
        hold exactly its chunk's runs. Returns every bad part, ``(path, reason)``."""
        self._scan()
        bad = list(self._bad)
        for index, (f, records) in sorted(self._good.items()):
            if index >= len(chunks):
                bad.append((f, f"chunk {index} is not in this plan"))
                continue
            own = {r["run_id"] for r in records}
            if own != set(chunks[index]):
                bad.append((f, f"holds runs other than chunk {index}'s"))
        return bad

    def quarantine(self, bad: Sequence[tuple[Path, str]]) -> list[Path]:
        """Move bad parts to ``DIR/quarantine/`` (never deleted) and log why."""
        from datetime import UTC, datetime

        qdir = self.path / QUARANTINE
        qdir.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        moved = []
        with open(qdir / "log.txt", "a", encoding="utf-8") as log:
            for f, reason in bad:
                target = qdir / f"{f.name}.{stamp}"
                try:
                    os.replace(f, target)
                except OSError:
                    continue
                log.write(f"{stamp} {f.name}: {reason}\n")
                moved.append(target)
        self._scan_key = None
        return moved

    def write_part(self, index: int, results: pd.DataFrame, runs: list[dict]) -> Path:
        """Write chunk ``index`` atomically (temporary file + rename)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(results, preserve_index=False)
        meta = dict(table.schema.metadata or {})
        meta[RUNS_KEY] = json.dumps(runs, default=str).encode()
        meta[PLAN_KEY] = str(self._manifest["plan_id"]).encode()
        meta[CHUNK_KEY] = str(int(index)).encode()
        table = table.replace_schema_metadata(meta)
        target = self.part_path(index)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd", write_page_checksum=True)
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
        """The verified part files, in chunk order."""
        self._scan()
        return [self._good[k][0] for k in sorted(self._good)]

    def _run_records(self) -> list[dict]:
        self._scan()
        return [r for k in sorted(self._good) for r in self._good[k][1]]

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
        """A sandboxed DuckDB connection with the tables ``results`` and ``runs``."""
        import duckdb
        import pyarrow.dataset as pads

        parts = self._parts()
        con = duckdb.connect(config=SANDBOX)
        if parts:      # scanned lazily by pyarrow (not DuckDB's file access): streams
            con.register("results_arrow", pads.dataset([str(p) for p in parts],
                                                       format="parquet"))
            con.execute("CREATE VIEW results AS SELECT * FROM results_arrow")
        else:
            con.execute("CREATE TABLE results (run_id VARCHAR, scenario VARCHAR, reference "
                        "VARCHAR, draw BIGINT, date TIMESTAMP, region VARCHAR, partner "
                        "VARCHAR, sector VARCHAR, metric VARCHAR, value DOUBLE, unit VARCHAR)")
        runs = self.runs()
        con.register("runs_df", runs)
        con.execute("CREATE VIEW runs AS SELECT * FROM runs_df")
        return con

    def query(self, sql: str, parameters: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run DuckDB SQL over the views ``results`` and ``runs`` (sandboxed: no file or
        network access); ``parameters`` are bound to ``?`` placeholders."""
        import duckdb
        import pyarrow as pa

        con = self._connect()
        try:
            return con.execute(sql, list(parameters or [])).df()
        except (duckdb.Error, pa.ArrowException) as exc:
            raise StoreError(f"query failed: {str(exc).splitlines()[0][:300]}") from None
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
        group_exprs = [sel.get(b, f"r.{_ident(b)}" if b not in runs_cols or b in allowed
                               else f"u.{_ident(b)}") for b in by]
        names = [_ident(b) for b in by]
        args: list[Any] = [str(m) for m in metrics]
        where = ["r.metric IN (" + ", ".join("?" for _ in metrics) + ")"]
        if regions:
            where.append("r.region IN (" + ", ".join("?" for _ in regions) + ")")
            args += [str(x) for x in regions]
        if reference is True:
            where.append("r.reference <> ''")
        elif reference is False:
            where.append("r.reference = ''")
        qcols = ", ".join(f"quantile_cont(value, {float(q)!r}) AS {_ident(_qname(q))}"
                          for q in quantiles)
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
        return self.query(sql, args)

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
        where = ["r.metric = ?"]
        args: list[Any] = [str(metric)]
        if region:
            where.append("r.region = ?")
            args.append(str(region))
        if year is not None:
            where.append("year(r.date) = ?")
            args.append(int(year))
        if reference is True:
            where.append("r.reference <> ''")
        elif reference is False:
            where.append("r.reference = ''")
        others = [c for c in pcols if c != col]     # the other swept parameters, as columns
        extra = "".join(f", u.{_ident(c)} AS {_ident(c[6:])}" for c in others)
        df = self.query(f"""
            SELECT u.{_ident(col)} AS {_ident(col[6:])}{extra}, r.scenario, r.reference,
                   r.region, r.run_id, r.metric, r.unit, avg(r.value) AS value
            FROM results r JOIN runs u ON r.run_id = u.run_id
            WHERE {' AND '.join(where)} GROUP BY ALL""", args)
        keys = [col[6:], *(c[6:] for c in others), "reference", "region"]
        return df.sort_values(keys, kind="stable").reset_index(drop=True)

    def export(self, out: str | Path, what: str = "results") -> Path:
        """Write ``results`` or ``runs`` as CSV."""
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        if what == "results":
            self.results().to_csv(out, index=False)
        elif what == "runs":
            self.runs().to_csv(out, index=False)
        else:
            raise StoreError(f"export: what must be 'results' or 'runs', got {what!r}")
        return out


def _ident(name: str) -> str:
    """``name`` as a quoted SQL identifier (a double quote inside is doubled)."""
    return '"' + str(name).replace('"', '""') + '"'


def _qname(q: float) -> str:
    pct = q * 100
    return f"p{pct:g}".replace(".", "_")
