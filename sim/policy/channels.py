r"""Trade-cost channels of agreements: iceberg cost factors ``d̂[exporter, importer, sector]``.

Besides tariffs (:mod:`sim.policy.tariffs`) an agreement may cut two kinds of trade costs
(docs/channels.md):

* **goods non-tariff** (``goods_nontariff``): between members, in every goods sector j,
  the full effect is :math:`\ln d_j = -\max(\beta/\theta_j - c,\ 0)` from an agreement effect β
  (log points of members' trade, structural gravity, :mod:`sim.estimate`) net of the tariff part
  ``c = Δln(1+t̄)`` that β also contains (double counting), or :math:`\ln d = \ln(1 - x)` from a
  sourced cut x already net of tariffs. Pairs that had another agreement in force before this
  one's entry (``agreements_in_force_2022.csv``) get the cut times ``prior_agreement_scale``;
  non-members' exports to a member get it times ``spillover``;
* **services** (``services``): :math:`\ln d = \ln(1 - x)` in the services sectors, between members
  (``scope = "members"``) or on a member's imports from every partner (``scope = "all"``).

Phase-in: at ``h`` years after entry into force (of the pair; of the importer for spillover and
``scope = "all"``) the cut is ``share(h)`` times the full one, a step function (the estimate's
lag profile by default). Several agreements on one cell do not add: the deepest cut wins (an
agreement cannot remove the same barrier twice). Domestic cells are never cut.

Anchoring (as tariffs): the model's factor on ``day`` is ``d̂ = exp(L(day) - L_cal(B))`` where
``L`` is the log level of the scenario's channels and ``L_cal(B)`` that of the calibration policy
at the base date ``B``: the baseline data already contain what agreements in force at ``B`` had
done, so the historical scenario gives ``d̂ = 1`` at ``B``.
"""

from __future__ import annotations

import bisect
import csv
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np

from sim.policy.model import Policy

__all__ = ["CHANNELS", "IMMEDIATE", "IN_FORCE_FILE", "PARAMETERS", "GoodsNonTariff", "Param",
           "PhaseIn", "ServicesCut", "TradeCostModel", "load_in_force", "realize_channels",
           "services_mask"]

#: the trade-cost channels, in the order of the decomposition (after tariffs)
CHANNELS = ("goods_nontariff", "services")
#: channel parameters the Monte Carlo draws (one draw per kind, shared by every agreement and by
#: a scenario and its reference: common random numbers)
PARAMETERS = ("goods_beta", "goods_cut", "tariff_correction", "prior_agreement_scale",
              "spillover", "services_cut")
IN_FORCE_FILE = Path(__file__).parent / "data" / "agreements_in_force_2022.csv"


@dataclass(frozen=True)
class Param:
    """A number with its uncertainty: ``std_error`` (normal) or ``[low, high]`` (uniform)."""

    value: float
    std_error: float | None = None
    low: float | None = None
    high: float | None = None
    source: str = ""

    def draw(self, z: float, u: float, lower: float = -math.inf, upper: float = math.inf
             ) -> Param:
        """This parameter at a standard-normal draw ``z`` (s.e.) or uniform ``u`` (range),
        clipped to ``[lower, upper]``."""
        if self.std_error is not None:
            v = self.value + z * self.std_error
        else:
            lo = self.value if self.low is None else self.low
            hi = self.value if self.high is None else self.high
            v = lo + u * (hi - lo)
        return replace(self, value=float(min(max(v, lower), upper)))

    def band(self) -> tuple[float, float]:
        """A 90 % band: ±1.645 s.e., or the range."""
        if self.std_error is not None:
            return self.value - 1.645 * self.std_error, self.value + 1.645 * self.std_error
        return (self.value if self.low is None else self.low,
                self.value if self.high is None else self.high)


@dataclass(frozen=True)
class PhaseIn:
    """Share of the full cut reached ``years`` after entry into force (step function)."""

    years: tuple[float, ...]
    shares: tuple[float, ...]
    source: str = ""

    def share(self, years_after: float) -> float:
        k = bisect.bisect_right(self.years, years_after + 1e-9) - 1
        return 0.0 if k < 0 else self.shares[k]

    def dates(self, start: date) -> list[date]:
        return [add_years(start, y) for y in self.years]


IMMEDIATE = PhaseIn((0.0,), (1.0,), "full at entry into force")


@dataclass(frozen=True)
class GoodsNonTariff:
    """Non-tariff cut on goods (β form or cut form), with its corrections."""

    beta: Param | None
    cut: Param | None
    correction: Param
    prior_scale: Param
    spillover: Param
    phase_in: PhaseIn = IMMEDIATE
    effect: str = ""
    source: str = ""

    def log_cut(self, theta: np.ndarray) -> np.ndarray:
        """Full effect ``ln d_j`` by sector (<= 0): ``-max(β/θ_j - c, 0)`` or ``ln(1 - x)``."""
        theta = np.asarray(theta, dtype=float)
        if self.cut is not None:
            return np.full(theta.shape, math.log1p(-self.cut.value))
        assert self.beta is not None
        return -np.maximum(self.beta.value / theta - self.correction.value, 0.0)

    def tariff_part(self, theta: np.ndarray) -> np.ndarray:
        """The correction's size in log points of trade by sector, ``min(θ_j c, β)`` (0 for
        the cut form)."""
        if self.beta is None:
            return np.zeros(np.shape(theta))
        return np.minimum(np.asarray(theta, dtype=float) * self.correction.value,
                          self.beta.value)


@dataclass(frozen=True)
class ServicesCut:
    cut: Param
    scope: str  # "members" | "all"
    phase_in: PhaseIn = IMMEDIATE
    source: str = ""

    def log_cut(self) -> float:
        return math.log1p(-self.cut.value)


def add_years(d: date, years: float) -> date:
    """``d`` plus ``years`` (whole years by the calendar, fractions by 365.25 days)."""
    whole = int(years)
    if whole == years:
        try:
            return d.replace(year=d.year + whole)
        except ValueError:  # 29 February
            return d.replace(year=d.year + whole, day=28)
    return d + timedelta(days=round(years * 365.25))


@lru_cache(maxsize=4)
def load_in_force(path: Path | str = IN_FORCE_FILE) -> Mapping[tuple[str, str], date]:
    """``{(importer, exporter): earliest entry into force}`` of the agreements in force in
    2022 (``sim/policy/data/agreements_in_force_2022.csv``)."""
    out: dict[tuple[str, str], date] = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            k, d = (r["importer"], r["exporter"]), date.fromisoformat(r["in_force"])
            out[k] = min(d, out.get(k, d))
    return out


def services_mask(sectors: Sequence[str]) -> np.ndarray:
    """Services sectors of a baseline: those whose name starts with ``services``."""
    return np.array([s.startswith("services") for s in sectors], dtype=bool)


def realize_channels(policy: Policy, z: Mapping[str, float], u: Mapping[str, float]
                     ) -> Policy:
    """The policy with every channel parameter at one draw (``z``: standard normals, ``u``:
    uniforms, by kind in :data:`PARAMETERS`; kinds missing stay central)."""

    def d(p: Param, kind: str, lower: float, upper: float) -> Param:
        if kind not in z and kind not in u:
            return p
        return p.draw(z.get(kind, 0.0), u.get(kind, 0.5), lower, upper)

    out = []
    for a in policy.agreements:
        g, s = a.goods_nontariff, a.services
        if g is not None:
            g = replace(g, beta=None if g.beta is None else d(g.beta, "goods_beta", 0, math.inf),
                        cut=None if g.cut is None else d(g.cut, "goods_cut", 0, 0.99),
                        correction=d(g.correction, "tariff_correction", 0, math.inf),
                        prior_scale=d(g.prior_scale, "prior_agreement_scale", 0, 1),
                        spillover=d(g.spillover, "spillover", 0, 1))
        if s is not None:
            s = replace(s, cut=d(s.cut, "services_cut", 0, 0.99))
        out.append(replace(a, goods_nontariff=g, services=s))
    return replace(policy, agreements=tuple(out))


@dataclass(frozen=True)
class _Piece:
    """One cut on one cell row ``[exporter, importer, :]`` from ``start`` to ``end``."""

    exporter: int
    importer: int
    start: date
    end: date | None
    phase: PhaseIn
    vector: np.ndarray  # full log cut by sector (<= 0)


class TradeCostModel:
    """Dated iceberg cost factors of a policy's agreement channels, anchored at the base date.

    Parameters
    ----------
    policy, calibration : the scenario's policy and its calibration policy (None = itself).
    regions, sectors, theta : the baseline's axes and trade elasticities (the conversion).
    base_date : the baseline's date ``B``.
    channels : the channels switched on (default both); the rest are treated as absent, in the
        scenario and in the calibration alike.
    in_force : ``{(importer, exporter): date}`` of earlier agreements (default the shipped table).
    """

    def __init__(self, policy: Policy, *, regions: Sequence[str], sectors: Sequence[str],
                 theta: np.ndarray, base_date: date, calibration: Policy | None = None,
                 channels: Iterable[str] = CHANNELS,
                 in_force: Mapping[tuple[str, str], date] | None = None) -> None:
        self.channels = frozenset(channels)
        unknown = self.channels - set(CHANNELS)
        if unknown:
            raise ValueError(f"unknown channel(s) {sorted(unknown)} (known: {', '.join(CHANNELS)})")
        self.regions = list(regions)
        self.sectors = list(sectors)
        self.theta = np.asarray(theta, dtype=float)
        self.base_date = base_date
        self.services = services_mask(self.sectors)
        self.in_force = load_in_force() if in_force is None else in_force
        self.shape = (len(self.regions), len(self.regions), len(self.sectors))
        self.pieces = self._compile(policy)
        self._own_arrays = self._arrays(self.pieces)
        self.cal_pieces = self.pieces if calibration is None else self._compile(calibration)
        self.active = bool(self.pieces or self.cal_pieces)
        self.anchor = self.level(base_date, self.cal_pieces)
        self._dates = sorted({d for p in self.pieces for d in (*p.phase.dates(p.start), p.end)
                              if d is not None})
        self._memo: dict[int, np.ndarray] = {}

    # ------------------------------------------------------------------ compile
    def _compile(self, policy: Policy) -> list[_Piece]:
        ri = {r: k for k, r in enumerate(self.regions)}
        goods = ~self.services
        pieces: list[_Piece] = []
        for a in policy.agreements:
            g = a.goods_nontariff if "goods_nontariff" in self.channels else None
            s = a.services if "services" in self.channels else None
            if g is None and s is None:
                continue
            members = [m for m in a.members if m.region in ri and m.eif is not None]
            names = {m.region for m in a.members}
            if g is not None:
                full = np.where(goods, g.log_cut(self.theta), 0.0)
                for mi in members:        # importer
                    for me in members:    # exporter
                        if me is mi:
                            continue
                        eif = a.pair_eif(me.region, mi.region)
                        assert eif is not None
                        prior = self.in_force.get((mi.region, me.region))
                        scale = g.prior_scale.value if prior is not None and prior < eif else 1.0
                        pieces.append(_Piece(ri[me.region], ri[mi.region], eif,
                                             a.pair_end(me.region, mi.region), g.phase_in,
                                             full * scale))
                    if g.spillover.value > 0:
                        for r, k in ri.items():
                            if r not in names and r != mi.region:
                                pieces.append(_Piece(k, ri[mi.region], mi.eif, mi.withdrawn,
                                                     g.phase_in, full * g.spillover.value))
            if s is not None and s.cut.value > 0:
                full = np.where(self.services, s.log_cut(), 0.0)
                for mi in members:
                    if s.scope == "all":
                        for r, k in ri.items():
                            if r != mi.region:
                                me = a.member(r)
                                if me is not None and me.eif is not None:
                                    start = a.pair_eif(r, mi.region)
                                    end = a.pair_end(r, mi.region)
                                else:
                                    start, end = mi.eif, mi.withdrawn
                                assert start is not None
                                pieces.append(_Piece(k, ri[mi.region], start, end, s.phase_in,
                                                     full))
                    else:
                        for me in members:
                            if me is not mi:
                                eif = a.pair_eif(me.region, mi.region)
                                assert eif is not None
                                pieces.append(_Piece(ri[me.region], ri[mi.region], eif,
                                                     a.pair_end(me.region, mi.region),
                                                     s.phase_in, full))
        return [p for p in pieces if np.any(p.vector < 0)]

    # ------------------------------------------------------------------ evaluate
    def _arrays(self, pieces: Sequence[_Piece]) -> tuple[np.ndarray, ...]:
        """Pieces as arrays: exporter, importer, start, end, step dates ``[P, K]``, shares
        ``[P, K]``, vectors ``[P, S]`` (dates as ordinals)."""
        k = max((len(p.phase.years) for p in pieces), default=1)
        never = date.max.toordinal()
        steps = np.full((len(pieces), k), never, dtype=np.int64)
        shares = np.zeros((len(pieces), k))
        for n, p in enumerate(pieces):
            steps[n, :len(p.phase.years)] = [d.toordinal() for d in p.phase.dates(p.start)]
            shares[n, :len(p.phase.years)] = p.phase.shares
        return (np.array([p.exporter for p in pieces], dtype=np.int64),
                np.array([p.importer for p in pieces], dtype=np.int64),
                np.array([p.start.toordinal() for p in pieces], dtype=np.int64),
                np.array([never if p.end is None else p.end.toordinal() for p in pieces],
                         dtype=np.int64),
                steps, shares,
                np.array([p.vector for p in pieces]).reshape(len(pieces), len(self.sectors)))

    def level(self, day: date, pieces: Sequence[_Piece] | None = None) -> np.ndarray:
        """Log trade-cost level ``L[exporter, importer, sector]`` (<= 0) of the channels in
        force on ``day``: the deepest cut per cell (vectorised over the pieces)."""
        out = np.zeros(self.shape)
        pieces = self.pieces if pieces is None else pieces
        if not pieces:
            return out
        arr = self._own_arrays if pieces is self.pieces else self._arrays(pieces)
        ex, im, start, end, steps, shares, vec = arr
        d = day.toordinal()
        k = (steps <= d).sum(axis=1) - 1
        share = np.where(k >= 0, shares[np.arange(len(k)), np.maximum(k, 0)], 0.0)
        share = np.where((start <= d) & (d < end), share, 0.0)
        np.minimum.at(out, (ex, im), share[:, None] * vec)
        return out

    def log_factor(self, day: date) -> np.ndarray:
        """``ln d̂ = L(day) - L_cal(B)`` (memoised per stretch without changes)."""
        k = bisect.bisect_right(self._dates, day)
        hit = self._memo.get(k)
        if hit is None:
            hit = self.level(day) - self.anchor
            self._memo[k] = hit
        return hit

    def change_dates(self, start: date, end: date) -> list[date]:
        """Days in ``(start, end)`` on which a factor may change (phase-in steps, ends)."""
        return self._dates[bisect.bisect_right(self._dates, start):
                           bisect.bisect_left(self._dates, end)]

    def at(self, day: date) -> np.ndarray | None:
        """The cost factor ``d̂`` on ``day``, or None where it is 1 everywhere."""
        if not self.active:
            return None
        f = np.exp(self.log_factor(day))
        return None if np.all(f == 1.0) else f

    def average(self, start: date, end: date) -> np.ndarray | None:
        """Day-weighted mean of ``d̂`` over ``[start, end)`` (None where it is 1 everywhere)."""
        if not self.active:
            return None
        lo = bisect.bisect_right(self._dates, start)
        hi = bisect.bisect_left(self._dates, end)
        cuts = [start, *self._dates[lo:hi], end]
        if len(cuts) == 2:
            return self.at(start)
        total = (end - start).days
        acc = np.zeros(self.shape)
        for a, b in itertools.pairwise(cuts):
            acc += (b - a).days / total * np.exp(self.log_factor(a))
        return None if np.all(acc == 1.0) else acc
