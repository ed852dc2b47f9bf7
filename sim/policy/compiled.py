r"""A policy compiled against one baseline: pure functions that return a frozen object.

:func:`compile_tariffs` builds a :class:`CompiledTariffs` in named steps, each a pure function
of what the previous ones returned (no step reads a half-built object):

1. :func:`layout` — the baseline's axes, the tradable sectors and the product lines kept;
2. :func:`compile_agreement` / :func:`compile_measure` — agreements and measures as index
   arrays over cells ``[exporter, importer, sector]`` and lines;
3. :func:`line_weights` — each line's weight ``w_l = value_l / flow`` in its cell, scaled so
   that lines cover at most :data:`MAX_LINE_SHARE` of the cell and their tariff content at the
   base date ``B`` fits in the cell's baseline tariff;
4. :func:`underlying_rest` — the rest of each cell (outside its lines) at ``B``, all-in,
   ``rest_B = (t_B - Σ w_l τ_l(B)) / (1 - W)``, then net of the calibration's measures in force
   at ``B`` (``add`` inverted; other stacking rules kept and noted);
5. :func:`mfn_rates` — the sector MFN table, where missing the highest anchored partner rate;
6. the calibration's agreement layer at ``B``, ``g_cal(B)``, the anchor of the rest.

The rates in force on a day then follow (:func:`agreement_rates`, :func:`anchored_rest`,
:func:`apply_measures`, :func:`aggregate`)::

    g       = min(MFN, min over agreements a in force of the staged rate of a)   (rest, lines)
    u       = u_B + g - g_cal(B)                                                   (rest)
    rest, τ = measures applied in order to (u, g_line)     add x+r | floor max | replace r | cap min
    t       = max(0, (1 - W) rest + Σ_l w_l τ_l)                                    (cells)
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import numpy as np

from sim.policy.groups import expand_regions
from sim.policy.lines import ProductLine, load_lines
from sim.policy.model import Agreement, Concession, Measure, Policy
from sim.policy.staging import cuts_made

__all__ = ["DEFAULT_MFN_FILE", "MAX_LINE_SHARE", "AgreementCells", "CompiledTariffs", "Layout",
           "MeasureCells", "aggregate", "agreement_rates", "anchored_rest", "apply_measures",
           "compile_agreement", "compile_measure", "compile_tariffs", "layout",
           "load_mfn_table", "mfn_cells", "ordered", "scoped"]

DEFAULT_MFN_FILE = Path(__file__).parent / "data" / "mfn_by_sector.csv"
MAX_LINE_SHARE = 0.95  # lines may cover at most this share of a sector cell's flow


def load_mfn_table(path: Path | str = DEFAULT_MFN_FILE) -> dict[tuple[str, str], float]:
    """``{(importer, sector): rate}`` from an MFN table (``sim/policy/data/mfn_by_sector.csv``)."""
    with open(path, newline="") as f:
        return {(r["importer"], r["sector"]): float(r["rate"]) for r in csv.DictReader(f)}


@lru_cache(maxsize=65536)
def cuts_on(day: date, eif: date, clock: date, md: tuple[int, int]) -> int:
    """:func:`sim.policy.staging.cuts_made`, memoised (pure)."""
    return cuts_made(day, eif, clock, md)


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    a.flags.writeable = False
    return a


# ---------------------------------------------------------------------- 1. layout
@dataclass(frozen=True, eq=False)
class Layout:
    """Axes, tradable sectors and product lines of one baseline."""

    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    region_index: Mapping[str, int]
    sector_index: Mapping[str, int]
    tradable: np.ndarray    # [S] bool
    cellmask: np.ndarray    # [R, R, S] bool: off-diagonal tradable cells
    lines: tuple[ProductLine, ...]
    line_index: Mapping[str, int]
    line_cell: np.ndarray   # [L, 3] (exporter, importer, sector)
    line_mfn: np.ndarray    # [L]

    @property
    def shape(self) -> tuple[int, int, int]:
        return len(self.regions), len(self.regions), len(self.sectors)

    def region_idx(self, names: Iterable[str] | None) -> list[int]:
        """Positions of region names (groups expanded; None = all regions)."""
        if names is None:
            return list(range(len(self.regions)))
        present, _ = expand_regions(names, self.regions)
        return [self.region_index[r] for r in present]

    def sector_idx(self, names: Iterable[str] | None) -> list[int]:
        """Positions of sector names (None = the tradable sectors); unknown names: KeyError."""
        if names is None:
            return [j for j in range(len(self.sectors)) if self.tradable[j]]
        out = []
        for s in names:
            if s not in self.sector_index:
                raise KeyError(f"unknown sector {s!r}; baseline sectors: "
                               f"{', '.join(self.sectors)}")
            out.append(self.sector_index[s])
        return out

    def line_idx(self, names: Iterable[str]) -> list[int]:
        """Positions of the named lines present in this baseline."""
        return [self.line_index[n] for n in names if n in self.line_index]


def tradable_sectors(base_tariffs: np.ndarray, flows: np.ndarray,
                     tradable: Sequence[bool] | None) -> np.ndarray:
    """Sectors where tariffs apply: as given, else those carrying a baseline tariff somewhere;
    if none do, every traded sector."""
    if tradable is not None:
        return np.asarray(tradable, dtype=bool)
    R = base_tariffs.shape[0]
    offdiag = ~np.eye(R, dtype=bool)[:, :, None]
    out = base_tariffs.sum(axis=(0, 1)) > 0
    if not out.any():
        out = (flows * offdiag).sum(axis=(0, 1)) > 0
    return np.asarray(out, dtype=bool)


def kept_lines(lines: Iterable[ProductLine], region_index: Mapping[str, int],
               sector_index: Mapping[str, int], flows: np.ndarray
               ) -> tuple[tuple[ProductLine, ...], tuple[str, ...]]:
    """The product lines this baseline can hold, and a note for each one dropped."""
    kept, notes = [], []
    for ln in lines:
        if ln.exporter not in region_index or ln.importer not in region_index:
            notes.append(f"line {ln.line}: {ln.exporter}->{ln.importer} not separate "
                         "regions in this baseline; dropped")
        elif ln.sector not in sector_index:
            notes.append(f"line {ln.line}: sector {ln.sector!r} not in baseline; dropped")
        elif flows[region_index[ln.exporter], region_index[ln.importer],
                   sector_index[ln.sector]] <= 0:
            notes.append(f"line {ln.line}: no baseline flow in its cell; dropped")
        else:
            kept.append(ln)
    return tuple(kept), tuple(notes)


def layout(regions: Sequence[str], sectors: Sequence[str], base_tariffs: np.ndarray,
           flows: np.ndarray, lines: Iterable[ProductLine] | None = None,
           tradable: Sequence[bool] | None = None) -> tuple[Layout, tuple[str, ...]]:
    """The :class:`Layout` of a baseline and the notes on lines it dropped."""
    regions, sectors = tuple(regions), tuple(sectors)
    ri = {r: k for k, r in enumerate(regions)}
    si = {s: k for k, s in enumerate(sectors)}
    R = len(regions)
    trad = tradable_sectors(base_tariffs, flows, tradable)
    cellmask = ~np.eye(R, dtype=bool)[:, :, None] & trad[None, None, :]
    kept, notes = kept_lines(load_lines() if lines is None else tuple(lines), ri, si, flows)
    line_cell = np.array([(ri[ln.exporter], ri[ln.importer], si[ln.sector]) for ln in kept],
                         dtype=int).reshape(-1, 3)
    return Layout(regions, sectors, MappingProxyType(ri), MappingProxyType(si), _frozen(trad),
                  _frozen(cellmask), kept,
                  MappingProxyType({ln.line: k for k, ln in enumerate(kept)}), _frozen(line_cell),
                  _frozen(np.array([ln.mfn for ln in kept], dtype=float))), notes


# ---------------------------------------------------------------------- 2. agreements, measures
@dataclass(frozen=True, eq=False)
class ConcessionCells:
    """One concession over this baseline: its pairs ``(exporter, importer, eif, end, cut day)``,
    the sectors of its rest and the lines it stages."""

    concession: Concession
    pairs: tuple[tuple[int, int, date, date | None, tuple[int, int]], ...]
    sectors: np.ndarray
    lines: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class AgreementCells:
    """An agreement compiled against a :class:`Layout`."""

    agreement: Agreement
    clock: date | None
    concessions: tuple[ConcessionCells, ...]


def compile_agreement(lay: Layout, a: Agreement) -> AgreementCells:
    """Pairs, sectors and lines of each concession of ``a`` (pure)."""
    members = {m.region for m in a.members}
    line_named = {ln for c in a.concessions if c.lines for ln in c.lines}
    items = []
    for c in a.concessions:
        imps = [n for n in lay.region_idx(c.importers) if lay.regions[n] in members]
        exps = [i for i in lay.region_idx(c.exporters if c.exporters is not None else members)
                if lay.regions[i] in members]
        pairs = []
        for n in imps:
            for i in exps:
                if i == n:
                    continue
                eif = a.pair_eif(lay.regions[i], lay.regions[n])
                if eif is None:
                    continue
                pairs.append((i, n, eif, a.pair_end(lay.regions[i], lay.regions[n]),
                              a.cut_day_for(lay.regions[n])))
        if c.lines is not None:
            lidx = lay.line_idx(c.lines)
            sidx: list[int] = []
        else:
            sidx = lay.sector_idx(c.sectors)
            lidx = [k for k, ln in enumerate(lay.lines)
                    if lay.sector_index[ln.sector] in sidx and ln.line not in line_named]
        items.append(ConcessionCells(c, tuple(pairs), np.array(sidx, dtype=int), tuple(lidx)))
    return AgreementCells(a, a.start(), tuple(items))


@dataclass(frozen=True, eq=False)
class MeasureCells:
    """A measure over a :class:`Layout`: the coverage of each rest cell (0 outside its scope)
    and the lines it reaches."""

    measure: Measure
    rest_mask: np.ndarray   # [R, R, S] float
    line_mask: np.ndarray   # [L] bool


def compile_measure(lay: Layout, m: Measure) -> MeasureCells:
    """The cells and lines of a measure's scope (pure)."""
    R, S = len(lay.regions), len(lay.sectors)
    sc = m.scope
    imps = lay.region_idx(sc.importers)
    exps = set(lay.region_idx(sc.exporters)) - set(lay.region_idx(sc.exclude_exporters))
    rest = np.zeros((R, R, S))
    lmask = np.zeros(len(lay.lines), dtype=bool)
    if sc.lines is not None:
        for li in lay.line_idx(sc.lines):
            i, n, _ = lay.line_cell[li]
            lmask[li] = n in imps and i in exps
    else:
        sidx = [j for j in lay.sector_idx(sc.sectors)
                if lay.sectors[j] not in set(sc.exclude_sectors)]
        for n in imps:
            for i in exps:
                if i != n:
                    rest[i, n, sidx] = sc.coverage
        excl = set(sc.exclude_lines)
        for li, ln in enumerate(lay.lines):
            i, n, j = lay.line_cell[li]
            lmask[li] = (n in imps and i in exps and j in sidx and ln.line not in excl)
    rest *= lay.cellmask
    return MeasureCells(m, _frozen(rest), _frozen(lmask))


def ordered(measures: Iterable[Measure], retroactive: bool) -> list[Measure]:
    """Measures in stacking order: by first day in force, then file order."""
    return sorted(measures, key=lambda m: (m.start(retroactive), m.order))


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


def scoped(cells: Sequence[MeasureCells]) -> list[tuple[Measure, np.ndarray, np.ndarray]]:
    """Each measure with the cells and lines where it applies: a measure named in another's
    ``replaces`` is removed from that measure's scope only,
    ``mask_r <- mask_r * (1 - [mask_m > 0])``."""
    out = []
    for cm in cells:
        rest, line = cm.rest_mask, cm.line_mask
        for other in cells:
            if cm.measure.name in other.measure.replaces:
                rest = rest * (other.rest_mask <= 0)
                line = line & ~other.line_mask
        out.append((cm.measure, rest, line))
    return out


def apply_measures(cells: Sequence[MeasureCells], rest: np.ndarray, line: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Rest and line rates after the measures (in the given order); on the rest a measure of
    coverage c moves the rate by c times its effect."""
    rest = rest.copy()
    line = line.copy()
    for m, rmask, lmask in scoped(cells):
        rest += rmask * (_op(m.stacking, rest, m.rate) - rest)
        if lmask.any():
            line[lmask] = _op(m.stacking, line[lmask], m.rate)
    return rest, line


def invert_measures(cells: Sequence[MeasureCells], rest: np.ndarray
                    ) -> tuple[np.ndarray, tuple[str, ...]]:
    """The rest net of measures in force (``add`` subtracted, in reverse order; other rules
    cannot be inverted and are noted)."""
    rest = rest.copy()
    notes = []
    for m, rmask, _ in reversed(scoped(cells)):
        if not rmask.any():
            continue
        if m.stacking == "add":
            rest -= rmask * m.rate
        else:
            notes.append(f"measure {m.name!r} ({m.stacking}) is in force at the base "
                         "date and cannot be inverted; the baseline rate is kept as "
                         "the underlying rate")
    return rest, tuple(notes)


# ---------------------------------------------------------------------- the layers on a day
def mfn_cells(lay: Layout, mfn_rest: np.ndarray) -> np.ndarray:
    """The MFN rate of each cell ``[i, n, j] = mfn[n, j]`` (a new array)."""
    return np.broadcast_to(mfn_rest[None, :, :], lay.shape).copy()


def agreement_rates(lay: Layout, mfn_rest: np.ndarray, ag: AgreementCells, day: date,
                    g_rest: np.ndarray | None = None, g_line: np.ndarray | None = None,
                    only_lines: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """What one agreement gives on ``day``: ``min(x, staged rate)`` over its pairs in force,
    starting from ``g_rest, g_line`` (default the MFN). Rates stage from each concession's base
    ``b`` (the MFN when not given): ``(1 - coverage) b + coverage · staging(b, cuts, day)``."""
    g_rest = mfn_cells(lay, mfn_rest) if g_rest is None else g_rest
    g_line = lay.line_mfn.copy() if g_line is None else g_line
    clock = ag.clock
    if clock is None:
        return g_rest, g_line
    for cc in ag.concessions:
        c, sidx = cc.concession, cc.sectors
        live = {(i, n): cuts_on(day, eif, clock, md) for i, n, eif, end, md in cc.pairs
                if eif <= day and (end is None or day < end)}
        if not live:
            continue
        if not only_lines and len(sidx):
            by_cuts: dict[int, list[tuple[int, int]]] = {}
            for pair, k in live.items():
                by_cuts.setdefault(k, []).append(pair)
            for k, pairs in by_cuts.items():  # pairs with the same number of cuts at once
                ii = np.array([p[0] for p in pairs])[:, None]
                nn = np.array([p[1] for p in pairs])[:, None]
                base = (mfn_rest[nn, sidx[None, :]] if c.base is None
                        else np.full((len(pairs), len(sidx)), c.base))
                r = (1 - c.coverage) * base + c.coverage * np.asarray(
                    c.staging.rate(base, k, day))
                cells = (ii, nn, sidx[None, :])
                g_rest[cells] = np.minimum(g_rest[cells], r)
        for li in cc.lines:
            k = live.get((int(lay.line_cell[li, 0]), int(lay.line_cell[li, 1])))
            if k is None:
                continue
            base = lay.line_mfn[li] if c.base is None else c.base
            r = (1 - c.coverage) * base + c.coverage * float(c.staging.rate(base, k, day))
            g_line[li] = min(g_line[li], r)
    return g_rest, g_line


def agreements_rates(lay: Layout, mfn_rest: np.ndarray, ags: Sequence[AgreementCells],
                     day: date, only_lines: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The agreement layer of several agreements on ``day`` (the lowest rate wins)."""
    g_rest, g_line = mfn_cells(lay, mfn_rest), lay.line_mfn.copy()
    for ag in ags:
        g_rest, g_line = agreement_rates(lay, mfn_rest, ag, day, g_rest, g_line, only_lines)
    return g_rest, g_line


def aggregate(ct: CompiledTariffs, rest: np.ndarray, line: np.ndarray) -> np.ndarray:
    """Sector rates ``max(0, (1 - W) rest + Σ_l w_l τ_l)`` on the tradable off-diagonal cells."""
    t = (1 - ct.line_share) * rest
    if len(ct.layout.lines):
        np.add.at(t, tuple(ct.layout.line_cell.T), ct.line_weight * line)
    t = np.maximum(t, 0.0)
    t *= ct.layout.cellmask
    return t


def anchored_rest(ct: CompiledTariffs, g_rest: np.ndarray) -> np.ndarray:
    """``u = u_B + g - g_cal(B)``: the rest before measures."""
    return ct.rest_base + g_rest - ct.rest_anchor


# ---------------------------------------------------------------------- 3.-6. calibration
def line_weights(lay: Layout, flows: np.ndarray, base_tariffs: np.ndarray,
                 line_rates_B: np.ndarray, unit_usd: float
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, ...]]:
    """Line weights ``w_l``, the cells' line share ``W`` and line tariff content
    ``Σ w_l τ_l(B)``, scaled to fit (see the module docstring), and notes on the scaling."""
    R, S = len(lay.regions), len(lay.sectors)
    w = np.array([ln.value_usd / unit_usd / flows[tuple(c)]
                  for ln, c in zip(lay.lines, lay.line_cell, strict=True)], dtype=float)
    W = np.zeros((R, R, S))
    content = np.zeros((R, R, S))
    for k, c in enumerate(lay.line_cell):
        W[tuple(c)] += w[k]
        content[tuple(c)] += w[k] * line_rates_B[k]
    scale = np.ones((R, R, S))
    over = W > MAX_LINE_SHARE
    scale[over] = MAX_LINE_SHARE / W[over]
    hot = content * scale > base_tariffs + 1e-15
    scale[hot] = np.minimum(scale[hot], 0.999 * base_tariffs[hot] / content[hot])
    notes = tuple(f"line weights in cell {lay.regions[c[0]]}->{lay.regions[c[1]]} "
                  f"{lay.sectors[c[2]]} scaled by {scale[tuple(c)]:.3f} to fit the cell's "
                  "flow and baseline tariff" for c in np.argwhere(scale < 1))
    weight = w * np.array([scale[tuple(c)] for c in lay.line_cell])
    return weight, W * scale, content * scale, notes


def underlying_rest(base_tariffs: np.ndarray, share: np.ndarray, content: np.ndarray,
                    cal_measures: Sequence[MeasureCells]
                    ) -> tuple[np.ndarray, tuple[str, ...]]:
    """The rest of each cell at ``B`` net of the calibration's measures in force then."""
    rest_B = np.where(share > 0, (base_tariffs - content) / np.maximum(1 - share, 1e-12),
                      base_tariffs)
    return invert_measures(cal_measures, rest_B)


def mfn_rates(lay: Layout, table: Mapping[tuple[str, str], float], rest_base: np.ndarray
              ) -> tuple[np.ndarray, tuple[str, ...]]:
    """``mfn[importer, sector]`` from the table; where missing, the highest anchored rate the
    importer applies to any partner at ``B`` (noted)."""
    R = len(lay.regions)
    offdiag = ~np.eye(R, dtype=bool)[:, :, None]
    partner_max = np.where(offdiag, rest_base, -np.inf).max(axis=0)
    out = np.zeros((R, len(lay.sectors)))
    missing = []
    for n, rn in enumerate(lay.regions):
        for j, sj in enumerate(lay.sectors):
            if not lay.tradable[j]:
                continue
            if (rn, sj) in table:
                out[n, j] = table[(rn, sj)]
            else:
                out[n, j] = max(0.0, float(partner_max[n, j]))
                missing.append(f"{rn}/{sj}")
    notes = (("no MFN table entry (using the highest baseline partner rate) for "
              + ", ".join(missing)),) if missing else ()
    return out, notes


@dataclass(frozen=True, eq=False)
class CompiledTariffs:
    """A policy compiled against one baseline (frozen; arrays read-only).

    ``rest_base`` is ``u_B`` and ``rest_anchor`` is ``g_cal(B)`` (module docstring);
    ``agreements`` and ``measures`` are the scenario's, compiled; ``line_rates_base`` are the
    scenario's line rates at ``B`` (the reference of line volumes).
    """

    policy: Policy
    calibration: Policy
    base_date: date
    retroactive: bool
    layout: Layout
    base_tariffs: np.ndarray
    line_weight: np.ndarray
    line_share: np.ndarray
    rest_base: np.ndarray
    rest_anchor: np.ndarray
    mfn_rest: np.ndarray
    agreements: tuple[AgreementCells, ...]
    measures: Mapping[Measure, MeasureCells]
    notes: tuple[str, ...]

    def measure_cells(self, m: Measure) -> MeasureCells:
        """The compiled scope of a measure (compiled now when it is not the scenario's)."""
        cm = self.measures.get(m)
        return cm if cm is not None else compile_measure(self.layout, m)

    def active(self, day: date, extra: Sequence[Measure] = ()) -> list[Measure]:
        """The scenario's measures and ``extra`` in force on ``day``, in stacking order."""
        return [m for m in ordered((*self.policy.measures, *extra), self.retroactive)
                if m.active(day, self.retroactive)]

    def components(self, day: date, extra: Sequence[Measure] = ()
                   ) -> tuple[np.ndarray, np.ndarray]:
        """Rest rates ``[i, n, j]`` and line rates ``[L]`` in force on ``day`` (pure)."""
        g_rest, g_line = agreements_rates(self.layout, self.mfn_rest, self.agreements, day)
        return apply_measures([self.measure_cells(m) for m in self.active(day, extra)],
                              anchored_rest(self, g_rest), g_line)


def compile_tariffs(policy: Policy, *, regions: Sequence[str], sectors: Sequence[str],
                    base_tariffs: np.ndarray, flows: np.ndarray, base_date: date,
                    calibration: Policy | None = None,
                    lines: Iterable[ProductLine] | None = None,
                    mfn: Mapping[tuple[str, str], float] | None = None, unit_usd: float = 1e6,
                    tradable: Sequence[bool] | None = None, retroactive: bool = False
                    ) -> CompiledTariffs:
    """Compile ``policy`` against a baseline, anchored to ``calibration`` at ``base_date``
    (parameters as :class:`sim.policy.tariffs.TariffModel`)."""
    R, S = len(regions), len(sectors)
    t0 = np.asarray(base_tariffs, dtype=float)
    x0 = np.asarray(flows, dtype=float)
    if t0.shape != (R, R, S) or x0.shape != (R, R, S):
        raise ValueError(f"base_tariffs and flows need shape {(R, R, S)}, got "
                         f"{t0.shape} and {x0.shape}")
    lay, notes = layout(regions, sectors, t0, x0, lines, tradable)
    cal = policy if calibration is None else calibration
    B = base_date
    cal_ags = tuple(compile_agreement(lay, a) for a in cal.agreements)
    cal_active = [compile_measure(lay, m) for m in ordered(cal.measures, retroactive)
                  if m.active(B, retroactive)]
    # line rates at B under the calibration policy (MFN of the rest is not needed for lines)
    _, g_line_cal = agreements_rates(lay, np.zeros((R, S)), cal_ags, B, only_lines=True)
    _, line_B = apply_measures(cal_active, np.zeros((R, R, S)), g_line_cal)
    weight, share, content, n_weights = line_weights(lay, x0, t0, line_B, unit_usd)
    rest_base, n_invert = underlying_rest(t0, share, content, cal_active)
    mfn_rest, n_mfn = mfn_rates(lay, load_mfn_table() if mfn is None else mfn, rest_base)
    anchor, _ = agreements_rates(lay, mfn_rest, cal_ags, B)
    ags = cal_ags if calibration is None else tuple(compile_agreement(lay, a)
                                                    for a in policy.agreements)
    measures = MappingProxyType({m: compile_measure(lay, m) for m in policy.measures})
    return CompiledTariffs(
        policy=policy, calibration=cal, base_date=B, retroactive=retroactive, layout=lay,
        base_tariffs=_frozen(t0), line_weight=_frozen(weight), line_share=_frozen(share),
        rest_base=_frozen(rest_base), rest_anchor=_frozen(anchor), mfn_rest=_frozen(mfn_rest),
        agreements=ags, measures=measures,
        notes=(*notes, *n_weights, *n_invert, *n_mfn))
