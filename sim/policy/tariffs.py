"""The tariff array ``t[exporter, importer, sector]`` of a policy at a date.

Three layers, evaluated per component (each sector's *rest* and each product line):

1. **Agreements** give the MFN-or-preference rate ``g``: the MFN (line MFN, or the sector MFN
   table) lowered by every agreement in force for the pair, staged by its categories
   (the lowest rate wins).
2. **Anchoring** ties the sector rest to the baseline: the rest's underlying rate on ``day`` is
   ``u = u_B + g(day) - g_cal(B)``, where ``u_B`` is the baseline rate at the base date ``B``
   net of the calibration policy's measures in force at ``B`` and ``g_cal(B)`` is what the
   calibration policy's agreements give at ``B``. Changes are thus applied in rate points
   relative to what the baseline data already hold. Lines carry absolute rates.
3. **Measures** stack on top in order of their first day (then file order):
   ``add`` (x + r), ``floor`` (max(x, r)), ``replace`` (r), ``cap`` (min(x, r)); on the rest a
   measure with coverage c moves the rate by c times its effect. A measure named in another's
   ``replaces`` stops applying only inside the replacing measure's scope (its cells and product
   lines): ``mask_r <- mask_r * (1 - [mask_m > 0])``; elsewhere it stays in force.

The sector rate is ``(1 - W) * rest + sum_l w_l * line_l`` with line weights from base values.
When the calibration policy is the scenario itself evaluated at ``B``, the result equals the
baseline tariffs exactly (for ``add`` measures in force at ``B``; other stacking rules at ``B``
cannot be inverted and are noted in :attr:`TariffModel.notes`).
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np

from sim.policy.dates import cut_dates
from sim.policy.groups import expand_regions
from sim.policy.lines import ProductLine, load_lines
from sim.policy.model import Agreement, Measure, Policy
from sim.policy.staging import Path as PathStaging
from sim.policy.staging import cuts_made

__all__ = ["DEFAULT_MFN_FILE", "TariffModel", "load_mfn_table"]

DEFAULT_MFN_FILE = Path(__file__).parent / "data" / "mfn_by_sector.csv"
MAX_LINE_SHARE = 0.95  # lines may cover at most this share of a sector cell's flow


def load_mfn_table(path: Path | str = DEFAULT_MFN_FILE) -> dict[tuple[str, str], float]:
    """``{(importer, sector): rate}`` from an MFN table (``sim/policy/data/mfn_by_sector.csv``)."""
    with open(path, newline="") as f:
        return {(r["importer"], r["sector"]): float(r["rate"]) for r in csv.DictReader(f)}


@lru_cache(maxsize=65536)
def _cuts(day: date, eif: date, clock: date, md: tuple[int, int]) -> int:
    return cuts_made(day, eif, clock, md)


@dataclass(frozen=True)
class _CompiledMeasure:
    measure: Measure
    rest_mask: np.ndarray  # [i, n, j] float: coverage where in scope, else 0
    line_mask: np.ndarray  # [L] bool


class TariffModel:
    """A policy compiled against one baseline: ``at(day)`` and ``average(start, end)``.

    Parameters
    ----------
    policy : the scenario's agreements and measures.
    regions, sectors : baseline axes.
    base_tariffs, flows : baseline arrays ``[exporter, importer, sector]``.
    base_date : the date the baseline's tariffs describe.
    calibration : the policy that the baseline tariffs embody at ``base_date`` (default:
        ``policy`` itself).
    lines : product lines (default: ``sim/policy/data/product_lines.csv``).
    mfn : ``{(importer, sector): rate}`` (default: ``sim/policy/data/mfn_by_sector.csv``); where
        missing, the highest anchored rate the importer applies to any partner at ``base_date``.
    unit_usd : USD per unit of ``flows`` (1e6 for USD million).
    tradable : per sector, whether tariffs apply (default: sectors with a positive baseline
        tariff somewhere; services stay tariff free).
    retroactive : apply measures from their ``retroactive_to`` date ("as finally assessed")
        instead of their effective date ("as collected").
    """

    def __init__(self, policy: Policy, *, regions: Sequence[str], sectors: Sequence[str],
                 base_tariffs: np.ndarray, flows: np.ndarray, base_date: date,
                 calibration: Policy | None = None,
                 lines: Iterable[ProductLine] | None = None,
                 mfn: dict[tuple[str, str], float] | None = None, unit_usd: float = 1e6,
                 tradable: Sequence[bool] | None = None, retroactive: bool = False) -> None:
        self.policy = policy
        self.regions = tuple(regions)
        self.sectors = tuple(sectors)
        self.base_date = base_date
        self.retroactive = retroactive
        self.notes: list[str] = []
        self._ri = {r: k for k, r in enumerate(self.regions)}
        self._si = {s: k for k, s in enumerate(self.sectors)}
        R, S = len(self.regions), len(self.sectors)
        t0 = np.asarray(base_tariffs, dtype=float)
        x0 = np.asarray(flows, dtype=float)
        if t0.shape != (R, R, S) or x0.shape != (R, R, S):
            raise ValueError(f"base_tariffs and flows need shape {(R, R, S)}, got "
                             f"{t0.shape} and {x0.shape}")
        self.base_tariffs = t0
        offdiag = ~np.eye(R, dtype=bool)[:, :, None]
        if tradable is None:
            # sectors that carry tariffs in the baseline (goods); if none do, all traded ones
            tradable = t0.sum(axis=(0, 1)) > 0
            if not tradable.any():
                tradable = (x0 * offdiag).sum(axis=(0, 1)) > 0
        self.tradable = np.asarray(tradable, dtype=bool)
        self._cellmask = offdiag & self.tradable[None, None, :]

        # product lines present in this baseline
        kept: list[ProductLine] = []
        for ln in (load_lines() if lines is None else tuple(lines)):
            if ln.exporter not in self._ri or ln.importer not in self._ri:
                self.notes.append(f"line {ln.line}: {ln.exporter}->{ln.importer} not separate "
                                  "regions in this baseline; dropped")
            elif ln.sector not in self._si:
                self.notes.append(f"line {ln.line}: sector {ln.sector!r} not in baseline; dropped")
            elif x0[self._ri[ln.exporter], self._ri[ln.importer], self._si[ln.sector]] <= 0:
                self.notes.append(f"line {ln.line}: no baseline flow in its cell; dropped")
            else:
                kept.append(ln)
        self.lines = tuple(kept)
        self._li = {ln.line: k for k, ln in enumerate(self.lines)}
        self.line_cell = np.array([(self._ri[ln.exporter], self._ri[ln.importer],
                                    self._si[ln.sector]) for ln in self.lines],
                                  dtype=int).reshape(-1, 3)
        self.line_mfn = np.array([ln.mfn for ln in self.lines], dtype=float)
        w = np.array([ln.value_usd / unit_usd / x0[tuple(c)]
                      for ln, c in zip(self.lines, self.line_cell, strict=True)], dtype=float)

        cal = policy if calibration is None else calibration
        self.calibration = cal
        self._compiled: dict[int, tuple] = {}
        self._mcache: dict[Measure, _CompiledMeasure] = {}
        B = base_date
        # 1. line rates at B under the calibration policy
        self.mfn_rest = np.zeros((R, S))  # filled below; lines do not need it
        self._g_rest_cal_B = None
        g_rest_dummy = np.zeros((R, R, S))
        _, g_line_cal = self._agreement_layer(cal, B, g_rest_dummy, only_lines=True)
        cal_active = [m for m in self._ordered(cal.measures) if m.active(B, retroactive)]
        _, line_B = self._apply(cal_active, np.zeros((R, R, S)), g_line_cal)
        # 2. weights: at most MAX_LINE_SHARE of a cell, tariff content within the cell's rate
        W = np.zeros((R, R, S))
        content = np.zeros((R, R, S))
        for k, c in enumerate(self.line_cell):
            W[tuple(c)] += w[k]
            content[tuple(c)] += w[k] * line_B[k]
        scale = np.ones((R, R, S))
        over = W > MAX_LINE_SHARE
        scale[over] = MAX_LINE_SHARE / W[over]
        hot = content * scale > t0 + 1e-15
        scale[hot] = np.minimum(scale[hot], 0.999 * t0[hot] / content[hot])
        for c in np.argwhere(scale < 1):
            self.notes.append(
                f"line weights in cell {self.regions[c[0]]}->{self.regions[c[1]]} "
                f"{self.sectors[c[2]]} scaled by {scale[tuple(c)]:.3f} to fit the cell's "
                "flow and baseline tariff")
        self.line_weight = w * np.array([scale[tuple(c)] for c in self.line_cell])
        self._W = W * scale
        content = content * scale
        # 3. the rest at B, all-in, and net of calibration measures
        rest_B = np.where(self._W > 0, (t0 - content) / np.maximum(1 - self._W, 1e-12), t0)
        self._u_rest_B = self._invert(cal_active, rest_B)
        # 4. sector MFN table, fallback to the highest anchored partner rate
        table = load_mfn_table() if mfn is None else mfn
        partner_max = np.where(offdiag, self._u_rest_B, -np.inf).max(axis=0)
        missing = []
        for n, rn in enumerate(self.regions):
            for j, sj in enumerate(self.sectors):
                if not self.tradable[j]:
                    continue
                if (rn, sj) in table:
                    self.mfn_rest[n, j] = table[(rn, sj)]
                else:
                    self.mfn_rest[n, j] = max(0.0, float(partner_max[n, j]))
                    missing.append(f"{rn}/{sj}")
        if missing:
            self.notes.append("no MFN table entry (using the highest baseline partner rate) for "
                              + ", ".join(missing))
        # 5. the calibration policy's agreements at B, for anchoring the rest
        self._g_rest_cal_B, _ = self._agreement_layer(cal, B, self._mfn_cells())
        self._cache: dict = {}

    # ------------------------------------------------------------------ helpers
    def _mfn_cells(self) -> np.ndarray:
        R = len(self.regions)
        return np.broadcast_to(self.mfn_rest[None, :, :], (R, R, len(self.sectors))).copy()

    def line_index(self, code: str) -> int:
        """Position of a line code (``KeyError`` if the line is not in this baseline)."""
        return self._li[code]

    def has_line(self, code: str) -> bool:
        return code in self._li

    def _regions(self, names: Iterable[str] | None) -> list[int]:
        if names is None:
            return list(range(len(self.regions)))
        present, _ = expand_regions(names, self.regions)
        return [self._ri[r] for r in present]

    def _sector_idx(self, names: Iterable[str] | None) -> list[int]:
        if names is None:
            return [j for j in range(len(self.sectors)) if self.tradable[j]]
        out = []
        for s in names:
            if s not in self._si:
                raise KeyError(f"unknown sector {s!r}; baseline sectors: {', '.join(self.sectors)}")
            out.append(self._si[s])
        return out

    def _line_idx(self, names: Iterable[str]) -> list[int]:
        return [self._li[n] for n in names if n in self._li]

    # ------------------------------------------------------------------ agreements
    def _compile_agreement(self, a: Agreement):
        key = id(a)
        if key in self._compiled:
            return self._compiled[key][1]
        members = {m.region for m in a.members}
        items = []
        line_named = {ln for c in a.concessions if c.lines for ln in c.lines}
        for c in a.concessions:
            imps = [n for n in self._regions(c.importers) if self.regions[n] in members]
            exps = [i for i in self._regions(c.exporters if c.exporters is not None else members)
                    if self.regions[i] in members]
            pairs = []
            for n in imps:
                for i in exps:
                    if i == n:
                        continue
                    eif = a.pair_eif(self.regions[i], self.regions[n])
                    if eif is None:
                        continue
                    pairs.append((i, n, eif, a.pair_end(self.regions[i], self.regions[n]),
                                  a.cut_day_for(self.regions[n])))
            if c.lines is not None:
                lidx = self._line_idx(c.lines)
                sidx: list[int] = []
            else:
                sidx = self._sector_idx(c.sectors)
                lidx = [k for k, ln in enumerate(self.lines)
                        if self._si[ln.sector] in sidx and ln.line not in line_named]
            items.append((c, pairs, np.array(sidx, dtype=int), lidx))
        self._compiled[key] = (a, items)  # keep a alive so id() stays unique
        return items

    def _agreement_layer(self, policy: Policy, day: date, g_rest: np.ndarray,
                         only_lines: bool = False) -> tuple[np.ndarray, np.ndarray]:
        g_rest = g_rest.copy()
        g_line = self.line_mfn.copy()
        for a in policy.agreements:
            clock = a.start()
            if clock is None:
                continue
            for c, pairs, sidx, lidx in self._compile_agreement(a):
                for i, n, eif, end, md in pairs:
                    if day < eif or (end is not None and day >= end):
                        continue
                    k = _cuts(day, eif, clock, md)
                    if not only_lines and len(sidx):
                        base = (self.mfn_rest[n, sidx] if c.base is None
                                else np.full(len(sidx), c.base))
                        r = (1 - c.coverage) * base + c.coverage * np.asarray(
                            c.staging.rate(base, k, day))
                        g_rest[i, n, sidx] = np.minimum(g_rest[i, n, sidx], r)
                    for li in lidx:
                        if self.line_cell[li, 0] != i or self.line_cell[li, 1] != n:
                            continue
                        base = self.line_mfn[li] if c.base is None else c.base
                        r = (1 - c.coverage) * base + c.coverage * float(
                            c.staging.rate(base, k, day))
                        g_line[li] = min(g_line[li], r)
        return g_rest, g_line

    # ------------------------------------------------------------------ measures
    def _ordered(self, measures: Iterable[Measure]) -> list[Measure]:
        return sorted(measures, key=lambda m: (m.start(self.retroactive), m.order))

    def _compile_measure(self, m: Measure) -> _CompiledMeasure:
        cm = self._mcache.get(m)
        if cm is not None:
            return cm
        R, S = len(self.regions), len(self.sectors)
        sc = m.scope
        imps = self._regions(sc.importers)
        exps = set(self._regions(sc.exporters)) - set(self._regions(sc.exclude_exporters))
        rest = np.zeros((R, R, S))
        lmask = np.zeros(len(self.lines), dtype=bool)
        if sc.lines is not None:
            for li in self._line_idx(sc.lines):
                i, n, _ = self.line_cell[li]
                lmask[li] = n in imps and i in exps
        else:
            sidx = [j for j in self._sector_idx(sc.sectors)
                    if self.sectors[j] not in set(sc.exclude_sectors)]
            for n in imps:
                for i in exps:
                    if i != n:
                        rest[i, n, sidx] = sc.coverage
            excl = set(sc.exclude_lines)
            for li, ln in enumerate(self.lines):
                i, n, j = self.line_cell[li]
                lmask[li] = (n in imps and i in exps and j in sidx and ln.line not in excl)
        rest *= self._cellmask
        cm = _CompiledMeasure(m, rest, lmask)
        self._mcache[m] = cm
        return cm

    @staticmethod
    def _op(stacking: str, x: np.ndarray, r: float) -> np.ndarray:
        if stacking == "add":
            return x + r
        if stacking == "floor":
            return np.maximum(x, r)
        if stacking == "replace":
            return np.full_like(x, r)
        if stacking == "cap":
            return np.minimum(x, r)
        raise ValueError(f"unknown stacking rule {stacking!r}")

    def scoped(self, measures: Sequence[Measure]) -> list[tuple[Measure, np.ndarray, np.ndarray]]:
        """Each active measure with the cells and lines where it applies.

        A measure named in the ``replaces`` of another active measure is removed from that
        measure's scope only (rest cells it covers, lines it names); it stays in force for
        every other partner, sector and line.
        """
        out = []
        for m in measures:
            cm = self._compile_measure(m)
            rest, line = cm.rest_mask, cm.line_mask
            for other in measures:
                if m.name in other.replaces:
                    om = self._compile_measure(other)
                    rest = rest * (om.rest_mask <= 0)
                    line = line & ~om.line_mask
            out.append((m, rest, line))
        return out

    def _apply(self, measures: Sequence[Measure], rest: np.ndarray,
               line: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rest = rest.copy()
        line = line.copy()
        for m, rmask, lmask in self.scoped(measures):
            rest += rmask * (self._op(m.stacking, rest, m.rate) - rest)
            if lmask.any():
                line[lmask] = self._op(m.stacking, line[lmask], m.rate)
        return rest, line

    def _invert(self, measures: Sequence[Measure], rest: np.ndarray) -> np.ndarray:
        rest = rest.copy()
        for m, rmask, _ in reversed(self.scoped(measures)):
            if not rmask.any():
                continue
            if m.stacking == "add":
                rest -= rmask * m.rate
            else:
                self.notes.append(f"measure {m.name!r} ({m.stacking}) is in force at the base "
                                  "date and cannot be inverted; the baseline rate is kept as "
                                  "the underlying rate")
        return rest

    # ------------------------------------------------------------------ evaluation
    def components(self, day: date, extra: Sequence[Measure] = ()) -> tuple[np.ndarray, np.ndarray]:
        """Rest rates ``[i, n, j]`` and line rates ``[L]`` in force on ``day``."""
        pol = self.policy
        active = [m for m in self._ordered((*pol.measures, *extra))
                  if m.active(day, self.retroactive)]
        key = (day, tuple(active))
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        g_rest, g_line = self._agreement_layer(pol, day, self._mfn_cells())
        u = self._u_rest_B + g_rest - self._g_rest_cal_B
        rest, line = self._apply(active, u, g_line)
        out = (rest, line)
        if len(self._cache) > 4096:
            self._cache.clear()
        self._cache[key] = out
        return out

    def aggregate(self, rest: np.ndarray, line: np.ndarray) -> np.ndarray:
        """Sector rates from components: ``(1 - W) rest + sum_l w_l line_l``, clipped at 0."""
        t = (1 - self._W) * rest
        if len(self.lines):
            np.add.at(t, tuple(self.line_cell.T), self.line_weight * line)
        t = np.maximum(t, 0.0)
        t *= self._cellmask
        return t

    def at(self, day: date, extra: Sequence[Measure] = ()) -> np.ndarray:
        """Tariff array ``[exporter, importer, sector]`` in force on ``day``."""
        return self.aggregate(*self.components(day, extra))

    def line_rates(self, day: date, extra: Sequence[Measure] = ()) -> dict[str, float]:
        """Rate of each product line on ``day``."""
        _, line = self.components(day, extra)
        return {ln.line: float(line[k]) for k, ln in enumerate(self.lines)}

    def change_dates(self, start: date, end: date, extra: Sequence[Measure] = ()) -> list[date]:
        """Days in ``(start, end)`` on which some rate may change."""
        ds: set[date] = set()
        for a in self.policy.agreements:
            for m in a.members:
                ds.update(d for d in (m.eif, m.withdrawn) if d is not None)
            clock = a.start()
            mds = {a.default_cut_month_day, *(md for _, md in a.cut_month_day)}
            if clock is not None:
                for md in mds:
                    ds.update(cut_dates(max(clock, start), end, md))
            for c in a.concessions:
                if isinstance(c.staging, PathStaging):
                    ds.update(c.staging.dates())
        for m in (*self.policy.measures, *extra):
            ds.update(m.change_dates(self.retroactive))
        return sorted(d for d in ds if start < d < end)

    def average(self, start: date, end: date, extra: Sequence[Measure] = ()) -> np.ndarray:
        """Time-weighted tariff array over ``[start, end)`` (days as weights)."""
        if end <= start:
            raise ValueError(f"empty period {start} .. {end}")
        cuts = [start, *self.change_dates(start, end, extra), end]
        total = (end - start).days
        acc = np.zeros_like(self.base_tariffs)
        for a, b in itertools.pairwise(cuts):
            acc += (b - a).days / total * self.at(a, extra)
        return acc

    def average_lines(self, start: date, end: date, extra: Sequence[Measure] = ()) -> np.ndarray:
        """Time-weighted line rates over ``[start, end)``."""
        cuts = [start, *self.change_dates(start, end, extra), end]
        total = (end - start).days
        acc = np.zeros(len(self.lines))
        for a, b in itertools.pairwise(cuts):
            acc += (b - a).days / total * self.components(a, extra)[1]
        return acc


def day_after(d: date) -> date:
    return d + timedelta(days=1)
