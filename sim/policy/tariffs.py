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

The compilation is :func:`sim.policy.compiled.compile_tariffs` (pure functions returning the
frozen :class:`~sim.policy.compiled.CompiledTariffs`); :class:`TariffModel` is that object with
evaluation by date, for reports, tests and the tidy tables. The timeline does not evaluate by
date: it schedules the dated changes of :mod:`sim.policy.schedule` and keeps the state.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import numpy as np

from sim.policy.compiled import (
    DEFAULT_MFN_FILE,
    MAX_LINE_SHARE,
    CompiledTariffs,
    aggregate,
    compile_tariffs,
    load_mfn_table,
    scoped,
)
from sim.policy.lines import ProductLine
from sim.policy.model import Measure, Policy
from sim.policy.schedule import agreement_days

__all__ = ["DEFAULT_MFN_FILE", "MAX_LINE_SHARE", "TariffModel", "load_mfn_table"]


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

    ``compiled`` is the frozen compilation; ``notes`` a list (callers may add to it).
    """

    def __init__(self, policy: Policy, *, regions: Sequence[str], sectors: Sequence[str],
                 base_tariffs: np.ndarray, flows: np.ndarray, base_date: date,
                 calibration: Policy | None = None,
                 lines: Iterable[ProductLine] | None = None,
                 mfn: Mapping[tuple[str, str], float] | None = None, unit_usd: float = 1e6,
                 tradable: Sequence[bool] | None = None, retroactive: bool = False) -> None:
        self.compiled: CompiledTariffs = compile_tariffs(
            policy, regions=regions, sectors=sectors, base_tariffs=base_tariffs, flows=flows,
            base_date=base_date, calibration=calibration, lines=lines, mfn=mfn,
            unit_usd=unit_usd, tradable=tradable, retroactive=retroactive)
        self.notes: list[str] = list(self.compiled.notes)
        self._memo: dict = {}

    # ------------------------------------------------------------------ the compiled object
    @property
    def policy(self) -> Policy:
        return self.compiled.policy

    @property
    def calibration(self) -> Policy:
        return self.compiled.calibration

    @property
    def base_date(self) -> date:
        return self.compiled.base_date

    @property
    def retroactive(self) -> bool:
        return self.compiled.retroactive

    @property
    def regions(self) -> tuple[str, ...]:
        return self.compiled.layout.regions

    @property
    def sectors(self) -> tuple[str, ...]:
        return self.compiled.layout.sectors

    @property
    def tradable(self) -> np.ndarray:
        return self.compiled.layout.tradable

    @property
    def lines(self) -> tuple[ProductLine, ...]:
        return self.compiled.layout.lines

    @property
    def line_cell(self) -> np.ndarray:
        return self.compiled.layout.line_cell

    @property
    def line_mfn(self) -> np.ndarray:
        return self.compiled.layout.line_mfn

    @property
    def line_weight(self) -> np.ndarray:
        return self.compiled.line_weight

    @property
    def base_tariffs(self) -> np.ndarray:
        return self.compiled.base_tariffs

    @property
    def mfn_rest(self) -> np.ndarray:
        return self.compiled.mfn_rest

    def line_index(self, code: str) -> int:
        """Position of a line code (``KeyError`` if the line is not in this baseline)."""
        return self.compiled.layout.line_index[code]

    def has_line(self, code: str) -> bool:
        return code in self.compiled.layout.line_index

    def scoped(self, measures: Sequence[Measure]) -> list[tuple[Measure, np.ndarray, np.ndarray]]:
        """Each measure with the cells and lines where it applies
        (:func:`sim.policy.compiled.scoped`)."""
        return scoped([self.compiled.measure_cells(m) for m in measures])

    # ------------------------------------------------------------------ evaluation by date
    def components(self, day: date, extra: Sequence[Measure] = ()) -> tuple[np.ndarray, np.ndarray]:
        """Rest rates ``[i, n, j]`` and line rates ``[L]`` in force on ``day``."""
        key = (day, tuple(self.compiled.active(day, extra)))
        hit = self._memo.get(key)
        if hit is None:
            if len(self._memo) > 4096:
                self._memo.clear()
            hit = self._memo[key] = self.compiled.components(day, extra)
        return hit

    def aggregate(self, rest: np.ndarray, line: np.ndarray) -> np.ndarray:
        """Sector rates from components: ``(1 - W) rest + sum_l w_l line_l``, clipped at 0."""
        return aggregate(self.compiled, rest, line)

    def at(self, day: date, extra: Sequence[Measure] = ()) -> np.ndarray:
        """Tariff array ``[exporter, importer, sector]`` in force on ``day``."""
        return self.aggregate(*self.components(day, extra))

    def line_rates(self, day: date, extra: Sequence[Measure] = ()) -> dict[str, float]:
        """Rate of each product line on ``day``."""
        _, line = self.components(day, extra)
        return {ln.line: float(line[k]) for k, ln in enumerate(self.lines)}

    def change_dates(self, start: date, end: date, extra: Sequence[Measure] = ()) -> list[date]:
        """Days in ``(start, end)`` on which some rate may change (the days of
        :mod:`sim.policy.schedule`)."""
        ds: set[date] = set()
        for ag in self.compiled.agreements:
            ds.update(agreement_days(ag, start, end))
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
