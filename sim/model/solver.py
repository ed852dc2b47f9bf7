"""Equilibrium in changes of the Caliendo–Parro (2015) model, solved for a batch of shocks.

For new tariffs t', iceberg cost changes d̂ and demand shifters b (all ``[B, i, n, j]``), the
solver finds wages ŵ[B, n], unit costs ĉ[B, n, j] and expenditure X'[B, n, j] such that

.. math::

    \\hat c_{nj} = \\hat w_n^{\\gamma_{nj}} \\prod_k \\hat P_{nk}^{\\gamma_{nkj}}

    \\hat P_{nj} = \\Big( \\sum_i \\pi_{inj}\\, b_{inj}\\,
        (\\hat\\kappa_{inj} \\hat c_{ij})^{-\\theta_j} \\Big)^{-1/\\theta_j},
    \\qquad \\hat\\kappa_{inj} = \\frac{1 + t'_{inj}}{1 + t_{inj}}\\, \\hat d_{inj}

    \\pi'_{inj} = \\pi_{inj}\\, b_{inj}\\,
        (\\hat\\kappa_{inj} \\hat c_{ij} / \\hat P_{nj})^{-\\theta_j}

    X'_{nj} = \\sum_k \\gamma_{njk} Y'_{nk} + \\alpha_{nj} I'_n, \\qquad
    Y'_{nk} = \\sum_m \\frac{\\pi'_{nmk} X'_{mk}}{1 + t'_{nmk}}

    I'_n = \\hat w_n VA_n + \\sum_{ij} \\frac{t'_{inj}}{1 + t'_{inj}} \\pi'_{inj} X'_{nj} + D'_n

and trade is balanced up to the deficit,
:math:`\\sum_{ij} \\pi'_{inj} X'_{nj}/(1+t'_{inj}) - \\sum_{j} Y'_{nj} = D'_n`, with world value
added as numeraire (:math:`\\sum_n \\hat w_n VA_n = \\sum_n VA_n`).

Method: one fixed point z = G(z) in the state z = (ln ŵ, ln ĉ, X'/ΣX) with Anderson
acceleration (type II, batched normal equations with Tikhonov regularisation). One application
of G (:func:`_equilibrium_map`) evaluates the CES sums at (ĉ, X'), and returns

* the unit costs of the first equation, ``ln ĉ ← γ ln ŵ + Σ_k γ_k ln P̂_k``;
* expenditure from the goods-market equations, ``X' ← γ Y' + α I'`` (expenditure is part of
  the state: one pass over the bilateral arrays per iteration, no linear solve);
* wages stepped on the trade-balance residual ZW = imports − exports − deficit,
  ``ln ŵ ← ln ŵ − ZW / (ŵ VA + c · θ-weighted openness)`` (c = :data:`WAGE_STEP_TRADE`, a
  preconditioner that changes speed, not the solution), renormalised to the numeraire.

:func:`solve` is three rooms: :func:`_prepare` (validate the shock, compute everything that
does not move during the iteration: with a[i, n, j] = π b κ̂^(−θ) the CES sum is
Σ_i a ĉ_i^(−θ)), :func:`_iterate` (the Anderson loop around :func:`_equilibrium_map`) and
:func:`_assemble` (the :class:`Equilibrium` at the fixed point). Each batch member stops as soon
as its own residual (trade balance relative to value added, unit-cost and expenditure updates)
is below ``tol``; members never mix (Anderson histories and restarts are per member), so a
member's result does not depend on the rest of its batch.

**Preconditioned solve** (:func:`solve_preconditioned`, used along paths and by
:func:`sim.counterfactual.counterfactual`). Near a solved equilibrium z₀ the residual
F(z) = G(z) − z is close to linear, F(z) ≈ J (z − z*) with J = ∂F/∂z at z₀. With
M = J⁻¹ (a :class:`Preconditioner`: J by central finite differences of
:func:`_equilibrium_map` at z₀, inverted once) the map

.. math::

    H(z) = z - M\\,F(z) = z - M\\,(G(z) - z)

has the same fixed points as G (M is invertible) and is Newton's chord method: it contracts at
the rate ‖I − M J(z)‖, small while the shock is near z₀, where G alone contracts at ~0.65 per
iteration. Anderson acceleration runs on H instead of G; the stopping test is unchanged (the
residual of G at z below ``tol``), so the solution is the same to solver tolerance. A member
whose preconditioned iteration does not settle (residual 1000-fold over its best, non-finite
values, or more than :data:`PRECONDITIONED_ITERATIONS` iterations) continues with G alone
(from its start state after non-finite values), so the worst case is about the plain solve.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from sim.model.economy import Economy

__all__ = ["CLOSURES", "Equilibrium", "ModelInputError", "Preconditioner", "SolverError",
           "preconditioner", "solve", "solve_preconditioned"]

Closure = Literal["fixed", "zero", "ratio"]
CLOSURES: tuple[str, ...] = ("fixed", "zero", "ratio")
WAGE_STEP_TRADE = 4.0  # preconditioner of the wage step; changes speed, not the solution
#: iterations of the preconditioned map H before a member falls back to the plain map G
PRECONDITIONED_ITERATIONS = 60
#: Anderson memory on the chord map (the chord step already carries most of the curvature)
PRECONDITIONED_MEMORY = 3
#: largest state size N + 2NJ for which :func:`preconditioner` builds the dense J⁻¹
MAX_PRECONDITIONED_SIZE = 1200


class SolverError(RuntimeError):
    """The equilibrium could not be found (no convergence, NaN, infeasible state)."""


class ModelInputError(ValueError):
    """A shock that the model cannot take (wrong shape, negative tariff, NaN)."""


@dataclass(frozen=True)
class Equilibrium:
    """A solved equilibrium; every array has a leading batch axis B.

    Hats (``wage_hat``, ``price_hat``, ``unit_cost_hat``, ``final_price_hat``) are relative to
    the *data* of the economy, not to a solved baseline: compare two equilibria with
    :func:`sim.model.metrics.compare`.
    """

    tariffs: np.ndarray          # t'[B, i, n, j]
    cost_factor: np.ndarray      # d̂[B, i, n, j]
    wage_hat: np.ndarray         # ŵ[B, n]
    unit_cost_hat: np.ndarray    # ĉ[B, n, j]
    price_hat: np.ndarray        # P̂[B, n, j] sector price index
    final_price_hat: np.ndarray  # Π_j P̂[B, n, j]^α[n, j]
    shares: np.ndarray           # π'[B, i, n, j]
    expenditure: np.ndarray      # X'[B, n, j] gross of tariffs
    flows: np.ndarray            # π' X' / (1 + t') [B, i, n, j] at producer prices
    gross_output: np.ndarray     # Y'[B, n, j]
    value_added: np.ndarray      # γ[n, j] Y'[B, n, j]
    tariff_revenue: np.ndarray   # R'[B, n]
    deficit: np.ndarray          # D'[B, n]
    income: np.ndarray           # I'[B, n]
    closure: str
    iterations: int
    residual: float

    @property
    def batch_size(self) -> int:
        return int(self.wage_hat.shape[0])

    def take(self, index: int) -> Equilibrium:
        """Batch member ``index`` as an equilibrium with batch size 1."""
        sl = slice(index, index + 1)
        fields = {k: (v[sl] if isinstance(v, np.ndarray) else v) for k, v in vars(self).items()}
        return Equilibrium(**fields)


def _as_batch(value: np.ndarray | float | None, shape: tuple[int, ...], name: str,
              default: float, finite: bool = True) -> np.ndarray:
    """Broadcast ``value`` to ``[B, *shape]`` (B = 1 when it has no batch axis), validating it
    (finiteness only with ``finite``)."""
    if value is None:
        return np.full((1, *shape), default)
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ModelInputError(f"{name} must be an array of numbers, got "
                              f"{type(value).__name__}") from None
    if arr.ndim <= len(shape):
        arr = arr.reshape((1,) * (len(shape) + 1 - arr.ndim) + arr.shape)
    try:
        if arr.ndim != len(shape) + 1:
            raise ValueError
        arr = np.broadcast_to(arr, (arr.shape[0], *shape))
    except ValueError:
        raise ModelInputError(f"{name} must have shape {list(shape)} or [batch, *{list(shape)}], "
                              f"got {list(np.shape(value))}") from None
    if finite and not np.all(np.isfinite(arr)):
        raise ModelInputError(f"{name} contains NaN or infinite values")
    return arr


def _in_range(arr: np.ndarray, lower: float, strict: bool) -> bool:
    """All of ``arr`` finite and ≥ ``lower`` (> with ``strict``), by two reductions (NaN
    fails both comparisons)."""
    lo, hi = arr.min(), arr.max()
    return bool((lo > lower if strict else lo >= lower) and hi < np.inf)


def _batch_size(*arrays: np.ndarray) -> int:
    sizes = {a.shape[0] for a in arrays if a.shape[0] != 1}
    if len(sizes) > 1:
        raise ModelInputError(f"inconsistent batch sizes {sorted(sizes)}")
    return sizes.pop() if sizes else 1


class _Anderson:
    """Batched Anderson acceleration (type II) for fixed points z = G(z), z: [B, d].

    Each batch member has its own history (a ring of the last ``memory`` differences
    ΔG = Δz + ΔF and ΔF; rows not yet filled or forgotten are zero), its own regularised
    least-squares step and its own restarts, so a member's iterates do not depend on the other
    members of the batch. The Gram matrix ΔF ΔFᵀ is updated one row per step.
    """

    def __init__(self, batch: int, dim: int, memory: int = 6,
                 regularisation: float = 1e-10) -> None:
        self.memory = memory
        self.reg = regularisation
        self.dg = np.zeros((batch, memory, dim))               # ΔG = ΔZ + ΔF rows
        self.df = np.zeros((batch, memory, dim))               # ΔF rows
        self.gram = np.zeros((batch, memory, memory))          # ΔF ΔFᵀ
        self.count = np.zeros(batch, dtype=np.int64)           # valid rows per member
        self.has_prev = np.zeros(batch, dtype=bool)
        self.g_prev = np.zeros((batch, dim))
        self.f_prev = np.zeros((batch, dim))
        self.slot = 0
        self.eye = np.eye(memory)

    def reset(self, members: np.ndarray) -> None:
        """Forget the history of the batch members selected by the boolean mask ``members``."""
        self.dg[members] = 0.0
        self.df[members] = 0.0
        self.gram[members] = 0.0
        self.count[members] = 0
        self.has_prev[members] = False

    def keep(self, index: np.ndarray) -> None:
        """Keep only the batch members ``index`` (in that order)."""
        for name in ("dg", "df", "gram", "count", "has_prev", "g_prev", "f_prev"):
            setattr(self, name, getattr(self, name)[index])

    def step(self, z: np.ndarray, g: np.ndarray, f: np.ndarray | None = None) -> np.ndarray:
        """The next iterate from z and g = G(z) (``f`` = g − z when the caller has it)."""
        if f is None:
            f = g - z
        k = self.slot
        self.slot = (k + 1) % self.memory
        if self.has_prev.all():         # the masks below would select every member
            np.subtract(g, self.g_prev, out=self.dg[:, k])
            np.subtract(f, self.f_prev, out=self.df[:, k])
        else:
            prev = self.has_prev[:, None]
            self.dg[:, k] = np.where(prev, g - self.g_prev, 0.0)
            self.df[:, k] = np.where(prev, f - self.f_prev, 0.0)
        self.count = np.minimum(self.count + self.has_prev, self.memory)
        self.g_prev, self.f_prev = g, f
        had_history = bool(self.has_prev.any())
        self.has_prev[:] = True
        if not had_history:
            return g
        row = np.matmul(self.df, self.df[:, k, :, None])[..., 0]   # [B, m]: new row of ΔF ΔFᵀ
        self.gram[:, k, :] = row
        self.gram[:, :, k] = row
        scale = (np.trace(self.gram, axis1=1, axis2=2)
                 / np.maximum(self.count, 1))[:, None, None]
        gram = self.gram + (self.reg * scale + 1e-300) * self.eye
        rhs = np.matmul(self.df, f[..., None])                 # [B, m, 1]
        try:
            coef = np.linalg.solve(gram, rhs)
        except np.linalg.LinAlgError:
            self.reset(np.ones(len(z), dtype=bool))
            return g
        # z ← G(z) − ΔG γ
        return g - np.matmul(coef.transpose(0, 2, 1), self.dg)[:, 0]


def solve(
    economy: Economy,
    tariffs: np.ndarray | None = None,
    cost_factor: np.ndarray | None = None,
    demand_shifter: np.ndarray | None = None,
    closure: Closure = "fixed",
    *,
    theta: np.ndarray | None = None,
    initial: Equilibrium | None = None,
    tol: float = 1e-10,
    max_iter: int = 5000,
) -> Equilibrium:
    """Solve the equilibrium in changes for a batch of shocks.

    Parameters
    ----------
    economy
        Baseline arrays.
    tariffs
        New ad valorem tariffs t', ``[i, n, j]`` or ``[B, i, n, j]``; ``None`` keeps the
        baseline tariffs.
    cost_factor
        Iceberg cost change d̂ (same shapes; default 1). Domestic entries should stay 1.
    demand_shifter
        Multiplier b ≥ 0 on baseline shares inside the CES aggregator (default 1); used by the
        timeline's gradual-adjustment rule.
    closure
        ``fixed``: deficits constant in numeraire units (CP default). ``zero``: all deficits
        set to 0 (CP's zero-aggregate-deficit run: solve the baseline with the same closure
        and compare). ``ratio``: each deficit a fixed share of the region's value added,
        recentred so that world deficits sum to zero.
    theta
        Trade elasticities ``[j]`` or ``[B, j]`` overriding the economy's (Monte Carlo).
    initial
        A previous equilibrium of the same economy (batch 1 or B) to warm-start from.

    Raises
    ------
    ModelInputError
        For shocks of the wrong shape, negative tariffs, non-positive cost factors, NaN.
    SolverError
        When the iteration produces NaN or does not converge within ``max_iter``.
    """
    return solve_preconditioned(economy, None, tariffs, cost_factor, demand_shifter, closure,
                                theta=theta, initial=initial, tol=tol, max_iter=max_iter)


@dataclass(frozen=True)
class Preconditioner:
    """M = J⁻¹, J = ∂F/∂z of F(z) = G(z) − z at a solved equilibrium (module docstring).

    ``matrix_t`` holds Mᵀ ``[d, d]`` (d = N + 2NJ) so that the step of a batch of states
    ``[B, d]`` is one matrix product, ``(G(z) − z) @ Mᵀ``."""

    matrix_t: np.ndarray
    closure: str
    n_regions: int
    n_sectors: int


def preconditioner(economy: Economy, base: Equilibrium, closure: Closure = "fixed", *,
                   theta: np.ndarray | None = None) -> Preconditioner | None:
    """The chord preconditioner at the solved equilibrium ``base`` (batch member 0) of
    ``economy`` under ``closure`` and elasticities ``theta`` ``[j]`` (default the economy's).

    Costs 2d + 1 evaluations of G (one batched call) and one d × d inverse. Returns None when
    the state is larger than :data:`MAX_PRECONDITIONED_SIZE` or J is singular: callers then
    get the plain solve from :func:`solve_preconditioned`."""
    if closure not in CLOSURES:
        raise ModelInputError(f"closure must be one of {CLOSURES}, got {closure!r}")
    n_reg, n_sec = economy.n_regions, economy.n_sectors
    size = n_reg + 2 * n_reg * n_sec
    if size > MAX_PRECONDITIONED_SIZE:
        return None
    prep = _prepare(economy, None, None, None, theta)
    if prep.batch != 1:
        raise ModelInputError("preconditioner takes one θ vector [j], not a batch")
    z0 = _start(economy, 1, base.take(0) if base.batch_size > 1 else base, prep.x_scale)[0]
    # central differences, steps relative to each block's scale (logs ~1, X'/ΣX ~ 1/(NJ))
    scale = np.abs(z0)
    n_c = n_reg * n_sec
    scale[:n_reg + n_c] = np.maximum(scale[:n_reg + n_c], 1.0)
    scale[n_reg + n_c:] = np.maximum(scale[n_reg + n_c:], np.abs(z0[n_reg + n_c:]).mean())
    step = 1e-6 * scale
    eye = np.diag(step)
    z = np.concatenate([z0 + eye, z0 - eye])
    world_va = economy.value_added.sum()
    with np.errstate(all="ignore"):
        _, f, _ = _equilibrium_map(economy, closure, prep.io, prep.x_scale, world_va, z,
                                   prep.arrays, prep.trade_scale)
        jac = ((f[:size] - f[size:]) / (2.0 * step)[:, None]).T          # J[:, k] = ∂F/∂z_k
    if not np.all(np.isfinite(jac)):
        return None
    try:
        inverse = np.linalg.inv(jac)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(inverse)):
        return None
    matrix_t = np.ascontiguousarray(inverse.T)
    matrix_t.setflags(write=False)
    return Preconditioner(matrix_t, closure, n_reg, n_sec)


def solve_preconditioned(
    economy: Economy,
    precondition: Preconditioner | None,
    tariffs: np.ndarray | None = None,
    cost_factor: np.ndarray | None = None,
    demand_shifter: np.ndarray | None = None,
    closure: Closure = "fixed",
    *,
    theta: np.ndarray | None = None,
    initial: Equilibrium | None = None,
    tol: float = 1e-10,
    max_iter: int = 5000,
) -> Equilibrium:
    """:func:`solve` with Anderson acceleration on the chord map H(z) = z − M (G(z) − z)
    (module docstring): the same equilibrium to solver tolerance in far fewer iterations for
    shocks near the equilibrium ``precondition`` was built at. ``precondition`` None is the
    plain iteration on G, which :func:`solve` is. Arguments and errors as :func:`solve`."""
    if closure not in CLOSURES:
        raise ModelInputError(f"closure must be one of {CLOSURES}, got {closure!r}")
    if precondition is not None and (
            precondition.closure != closure
            or (precondition.n_regions, precondition.n_sectors)
            != (economy.n_regions, economy.n_sectors)):
        raise ModelInputError(f"the preconditioner was built for closure "
                              f"{precondition.closure!r} and {precondition.n_regions} regions x "
                              f"{precondition.n_sectors} sectors, not closure {closure!r} and "
                              f"{economy.n_regions} x {economy.n_sectors}")
    prep = _prepare(economy, tariffs, cost_factor, demand_shifter, theta)
    matrix_t = None if precondition is None else precondition.matrix_t
    z_done, residual, iterations = _iterate(economy, prep, closure, initial, tol, max_iter,
                                            matrix_t)
    return _assemble(economy, prep, closure, z_done, residual, iterations)


@dataclass(frozen=True)
class _Prepared:
    """A validated shock and every array that does not move during the iteration.

    ``arrays`` = (a_price [b, j, n, i], a_sales [b, j, i, n], a_revenue [b, j, n, i],
    −θ [b, j, 1]): the CES weights a = π b κ̂^(−θ) laid out for batched matrix-vector products
    (prices, sales at producer prices a/(1+t'), tariff revenue a t'/(1+t'))."""

    tariffs: np.ndarray          # t' [b, i, n, j]
    cost_factor: np.ndarray      # d̂ [b, i, n, j]
    batch: int
    a: np.ndarray                # π b κ̂^(−θ) [b, i, n, j]
    inv1t: np.ndarray            # 1 / (1 + t') [b, i, n, j]
    arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    trade_scale: np.ndarray      # Σ_j θ γ · openness [b, n]: scale of the wage step
    io: np.ndarray               # γ[n, k, j] (intermediate use and ln P̂)
    x_scale: float               # world expenditure (scale of X' in the state)


def _prepare(economy: Economy, tariffs: np.ndarray | None, cost_factor: np.ndarray | None,
             demand_shifter: np.ndarray | None, theta: np.ndarray | None) -> _Prepared:
    """Validate the shock and precompute what the iteration does not change."""
    n_reg, n_sec = economy.n_regions, economy.n_sectors
    bil = (n_reg, n_reg, n_sec)
    raw = (economy.tariffs if tariffs is None else tariffs, cost_factor, demand_shifter,
           economy.theta if theta is None else theta)
    t_new = _as_batch(raw[0], bil, "tariffs", 0.0, finite=False)
    d_hat = _as_batch(raw[1], bil, "cost_factor", 1.0, finite=False)
    shifter = _as_batch(raw[2], bil, "demand_shifter", 1.0, finite=False)
    th = _as_batch(raw[3], (n_sec,), "theta", 1.0, finite=False)
    if not (_in_range(t_new, 0.0, False) and _in_range(d_hat, 0.0, True)
            and _in_range(shifter, 0.0, False) and _in_range(th, 0.0, True)):
        for arr, name in ((t_new, "tariffs"), (d_hat, "cost_factor"),
                          (shifter, "demand_shifter"), (th, "theta")):
            if not np.all(np.isfinite(arr)):
                raise ModelInputError(f"{name} contains NaN or infinite values")
        if np.any(t_new < 0):
            raise ModelInputError(f"tariffs must be >= 0 (min {t_new.min():.6g})")
        if np.any(d_hat <= 0):
            raise ModelInputError(f"cost_factor must be > 0 (min {d_hat.min():.6g})")
        if np.any(shifter < 0):
            raise ModelInputError(f"demand_shifter must be >= 0 (min {shifter.min():.6g})")
        raise ModelInputError("theta must be positive")
    batch = _batch_size(t_new, d_hat, shifter, th)

    neg_theta = -th                                                           # [b, j]
    # With a[i, n, j] = π b κ̂^(−θ) the CES sum is Σ_i a ĉ_i^(−θ), so each iteration needs only
    # N·J powers and three batched matrix-vector products (layout [b, j, ·, ·]).
    log_kappa = np.log1p(t_new)                                                # [b, i, n, j]
    log_kappa -= np.log1p(economy.tariffs)
    if cost_factor is not None:
        log_kappa = log_kappa + np.log(d_hat)
    weight = economy.shares * shifter
    # a = w exp(−θ ln κ̂) (0 where the weight w is 0, unless the power overflows there too)
    with np.errstate(over="ignore", invalid="ignore"):
        a = np.multiply(log_kappa, neg_theta[:, None, None, :])
        np.exp(a, out=a)
        a = np.multiply(weight, a, out=a if a.shape == np.broadcast_shapes(a.shape, weight.shape)
                        else None)
        if not np.all(np.isfinite(a)):
            positive = weight > 0
            a = np.where(positive, weight * np.exp(np.where(positive, log_kappa, 0.0)
                                                   * neg_theta[:, None, None, :]), 0.0)
    if not np.all(np.isfinite(a)):
        bad = np.unique(np.nonzero(~np.isfinite(a))[0]).tolist()
        raise SolverError(f"the shock is out of numerical range: (κ̂)^(−θ) overflows for batch "
                          f"members {bad[:10]} (tariff or cost factor changes too extreme)")
    inv1t = 1.0 / (1.0 + t_new)
    b_a = a.shape[0]
    a_price = np.ascontiguousarray(a.transpose(0, 3, 2, 1))                    # [b, j, n, i]
    a_sales = np.empty((b_a, n_sec, n_reg, n_reg))                             # [b, j, i, n]
    np.multiply(a, inv1t, out=a_sales.transpose(0, 2, 3, 1))
    a_revenue = np.empty((b_a, n_sec, n_reg, n_reg))                           # [b, j, n, i]
    np.multiply(a * t_new, inv1t, out=a_revenue.transpose(0, 3, 2, 1))
    # Scale of the wage step: the trade balance responds to a region's wage through its value
    # added and, with elasticity θ, through its foreign sales and purchases. Dividing the
    # residual by both keeps the plain iteration stable for very open economies.
    foreign = economy.flows * (1.0 - np.eye(n_reg))[:, :, None]
    openness = foreign.sum(axis=1) + foreign.sum(axis=0)                       # [n, j]
    trade_scale = (th[:, None, :] * (economy.va_share * openness)[None]).sum(axis=2)  # [b, n]
    return _Prepared(t_new, d_hat, batch, a, inv1t,
                     (a_price, a_sales, a_revenue, neg_theta[:, :, None]), trade_scale,
                     np.ascontiguousarray(economy.io_share),
                     float(economy.expenditure.sum()))


def _deficit(economy: Economy, closure: str, w_hat: np.ndarray) -> np.ndarray:
    """D'[b, n] under the closure at wages ``w_hat``."""
    if closure == "fixed":
        return np.broadcast_to(economy.deficit, w_hat.shape)
    if closure == "zero":
        return np.zeros_like(w_hat)
    va = economy.value_added
    ratio = (w_hat * economy.deficit).sum(1, keepdims=True) / (w_hat * va).sum(1, keepdims=True)
    return w_hat * (economy.deficit - va * ratio)


def _evaluate(lc: np.ndarray, x: np.ndarray, arrays: tuple[np.ndarray, ...]
              ) -> tuple[np.ndarray, ...]:
    """CES sums, ln P̂, gross output and tariff revenue at unit costs ``lc`` [b, n, j] and
    expenditure ``x`` [b, n, j]: (ĉ^(−θ) [b, j, i], Σ_i a ĉ^(−θ) [b, j, n], ln P̂ [b, n, j],
    Y' [b, n, j], R' [b, n])."""
    a_price, a_sales, a_revenue, theta = arrays
    cpow = np.exp(theta * lc.transpose(0, 2, 1))                             # ĉ^(−θ) [b, j, i]
    total = np.matmul(a_price, cpow[..., None])[..., 0]                      # [b, j, n]
    lp = np.log(total) / theta                                               # ln P̂ [b, j, n]
    x_per = x.transpose(0, 2, 1) / total                                     # [b, j, n]
    y = cpow * np.matmul(a_sales, x_per[..., None])[..., 0]                  # Y' [b, j, i]
    rev = (np.matmul(a_revenue, cpow[..., None])[..., 0] * x_per).sum(axis=1)  # R' [b, n]
    return cpow, total, lp.transpose(0, 2, 1), y.transpose(0, 2, 1), rev


def _split(economy: Economy, z: np.ndarray, x_scale: float
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The state z [b, N + 2NJ] as (ln ŵ [b, n], ln ĉ [b, n, j], X' [b, n, j])."""
    n_reg, n_sec = economy.n_regions, economy.n_sectors
    n_c = n_reg * n_sec
    m = z.shape[0]
    return (z[:, :n_reg], z[:, n_reg:n_reg + n_c].reshape(m, n_reg, n_sec),
            z[:, n_reg + n_c:].reshape(m, n_reg, n_sec) * x_scale)


def _start(economy: Economy, batch: int, initial: Equilibrium | None, x_scale: float
           ) -> np.ndarray:
    """The starting state: the warm start's (ŵ, ĉ, X') or the data (ŵ = ĉ = 1, X' = X)."""
    n_reg, n_sec = economy.n_regions, economy.n_sectors
    if initial is not None:
        lw = np.log(np.broadcast_to(initial.wage_hat, (batch, n_reg))).copy()
        lc = np.log(np.broadcast_to(initial.unit_cost_hat, (batch, n_reg, n_sec))).copy()
        x = np.broadcast_to(initial.expenditure, (batch, n_reg, n_sec)).copy()
    else:
        lw = np.zeros((batch, n_reg))
        lc = np.zeros((batch, n_reg, n_sec))
        x = np.broadcast_to(economy.expenditure, (batch, n_reg, n_sec)).copy()
    return np.concatenate([lw, lc.reshape(batch, -1), x.reshape(batch, -1) / x_scale], axis=1)


def _equilibrium_map(economy: Economy, closure: str, io: np.ndarray, x_scale: float,
                     world_va: float, z: np.ndarray, arrays: tuple[np.ndarray, ...],
                     trade_scale: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One application of G: the next state g, the step f = g − z and the residual of each
    member at z (trade balance relative to value added, largest unit-cost and expenditure
    update)."""
    va_share, alpha, va = economy.va_share, economy.final_share, economy.value_added
    m = z.shape[0]
    n_reg, n_sec = economy.n_regions, economy.n_sectors
    n_c = n_reg * n_sec
    lw, lc, x = _split(economy, z, x_scale)
    w_hat = np.exp(lw)
    _, _, lp, y, rev = _evaluate(lc, x, arrays)
    g = np.empty_like(z)
    # ln ĉ' = γ ln ŵ + Σ_k γ[n, k, j] ln P̂_k (one small product per member and region, so a
    # member's bits do not depend on the batch's size)
    lc_new = g[:, n_reg:n_reg + n_c].reshape(m, n_reg, n_sec)
    np.matmul(lp[:, :, None, :], io, out=lc_new[:, :, None, :])
    lc_new += va_share * lw[:, :, None]
    # the fixed deficit enters by broadcasting (the same numbers as a broadcast copy)
    d_new = economy.deficit if closure == "fixed" else _deficit(economy, closure, w_hat)
    income = w_hat * va + rev + d_new
    # X'_k = Σ_j γ[n, k, j] Y'_j + α I'
    x_new = g[:, n_reg + n_c:].reshape(m, n_reg, n_sec)
    np.matmul(io, y[..., None], out=x_new[..., None])
    x_new += alpha * income[:, :, None]
    x_new /= x_scale
    zw = (x - y).sum(axis=2) - rev - d_new      # imports − exports − deficit
    lw_new = g[:, :n_reg]
    np.subtract(lw, zw / (w_hat * va + WAGE_STEP_TRADE * trade_scale), out=lw_new)
    lw_new -= np.log((np.exp(lw_new) * va).sum(1, keepdims=True) / world_va)
    f = g - z
    if not np.isfinite(f).all():
        return g, f, np.full(m, np.nan)
    step = np.abs(f[:, n_reg:])
    residual = np.maximum(np.maximum(np.abs(zw / va).max(axis=1), step[:, :n_c].max(axis=1)),
                          step[:, n_c:].max(axis=1) * n_c)
    return g, f, residual


def _rows(arr: np.ndarray, index: np.ndarray) -> np.ndarray:
    return arr if arr.shape[0] == 1 else arr[index]


def _iterate(economy: Economy, prep: _Prepared, closure: str, initial: Equilibrium | None,
             tol: float, max_iter: int, matrix_t: np.ndarray | None = None
             ) -> tuple[np.ndarray, float, int]:
    """Anderson-accelerated fixed point of :func:`_equilibrium_map` for every batch member.

    A member leaves the iteration as soon as its own residual is below ``tol`` (its state is
    recorded then; its result does not depend on the others); a member whose residual grows
    1000-fold over its best restarts its Anderson history. Finished members are dropped from
    the working arrays once they are a quarter of them (until then they iterate on, unread).
    With ``matrix_t`` (Mᵀ of a :class:`Preconditioner`) Anderson runs on the chord map
    H(z) = z − M (G(z) − z) until the member falls back to G (module docstring).
    Returns the converged states, the largest residual and the number of iterations."""
    batch = prep.batch
    z = _start(economy, batch, initial, prep.x_scale)
    memory = 6 if matrix_t is None else PRECONDITIONED_MEMORY
    accel = _Anderson(batch, z.shape[1], memory=memory)
    z_done = np.empty_like(z)
    res_done = np.zeros(batch)
    active = np.arange(batch)          # batch member of each working row
    live = np.ones(batch, dtype=bool)  # working rows not yet converged
    arrays, scale_a = prep.arrays, prep.trade_scale
    world_va = economy.value_added.sum()
    best = np.full(batch, np.inf)
    residual = np.full(batch, np.inf)
    # members iterating the plain map G (all of them without a preconditioner)
    plain = np.full(batch, matrix_t is None)
    restarted = np.zeros(batch, dtype=bool)   # members already sent back to their start
    z_first = z.copy() if matrix_t is not None else z
    iteration = 0
    for iteration in range(1, max_iter + 1):
        g, f, residual = _equilibrium_map(economy, closure, prep.io, prep.x_scale, world_va,
                                          z, arrays, scale_a)
        bad = ~np.isfinite(residual) & live
        if bad.any() and matrix_t is not None and not restarted[bad].any():
            # a chord step (or G continued from where chord steps left it) left the model's
            # range: those members restart on G from their start state, once
            plain[bad] = True
            restarted[bad] = True
            z[bad] = z_first[active[bad]]
            accel.reset(bad)
            best[bad] = np.inf
            g, f, residual = _equilibrium_map(economy, closure, prep.io, prep.x_scale,
                                              world_va, z, arrays, scale_a)
            bad = ~np.isfinite(residual) & live
        if bad.any():
            members = active[bad].tolist()
            raise SolverError(f"the solver produced NaN or infinite values at iteration "
                              f"{iteration} (batch members {members[:10]}); the shock is "
                              "infeasible or the baseline is degenerate")
        done = live & (residual < tol)
        if done.any():
            z_done[active[done]] = z[done]
            res_done[active[done]] = residual[done]
            live &= ~done
            if not live.any():
                break
            if 4 * (len(live) - int(live.sum())) >= len(live):
                keep = np.nonzero(live)[0]
                active = active[keep]
                z, g, f, residual = z[keep], g[keep], f[keep], residual[keep]
                best, plain, live = best[keep], plain[keep], live[keep]
                restarted = restarted[keep]
                accel.keep(keep)
                arrays = tuple(_rows(arr, active) for arr in prep.arrays)
                scale_a = _rows(prep.trade_scale, active)
        # finished rows still in the arrays keep iterating; nothing reads them
        residual = np.where(live, residual, 0.0)
        restart = residual > 1e3 * best
        if matrix_t is not None and not plain.all():
            fall_back = ~plain & (restart | (iteration >= PRECONDITIONED_ITERATIONS))
            if fall_back.any():
                plain |= fall_back
                restart |= fall_back
        if restart.any():
            accel.reset(restart)
        best = np.minimum(best, residual)
        if plain.all():
            z = accel.step(z, g, f)
        else:
            h = z - f @ matrix_t
            z = accel.step(z, h if not plain.any() else np.where(plain[:, None], g, h))
    else:
        left = active[live]
        raise SolverError(f"no convergence after {max_iter} iterations for batch members "
                          f"{left[:10].tolist()} (residual {residual[live].max():.3g} > tol "
                          f"{tol:.1g}, closure {closure!r})")
    return z_done, float(res_done.max()), iteration


def _assemble(economy: Economy, prep: _Prepared, closure: str, z: np.ndarray,
              residual: float, iterations: int) -> Equilibrium:
    """The :class:`Equilibrium` at the converged state z."""
    batch = prep.batch
    bil = (economy.n_regions, economy.n_regions, economy.n_sectors)
    va, alpha = economy.value_added, economy.final_share
    lw, lc, x = _split(economy, z, prep.x_scale)
    w_hat = np.exp(lw)
    cpow, total, lp, y, rev = _evaluate(lc, x, prep.arrays)
    # π'[i, n, j] = a ĉ_i^(−θ) / Σ_i a ĉ_i^(−θ)
    pi_new = prep.a * (cpow.transpose(0, 2, 1)[:, :, None, :] / total.transpose(0, 2, 1)[:, None])
    flows_new = pi_new * prep.inv1t * x[:, None, :, :]
    p_hat = np.exp(lp)
    final_price = np.exp((alpha * lp).sum(axis=2))
    d_new = np.array(_deficit(economy, closure, w_hat), copy=True)
    income = w_hat * va + rev + d_new
    t_new = prep.tariffs
    return Equilibrium(
        tariffs=t_new if t_new.shape[0] == batch else np.broadcast_to(t_new, (batch, *bil)),
        cost_factor=np.broadcast_to(prep.cost_factor, (batch, *bil)),
        wage_hat=w_hat,
        unit_cost_hat=np.exp(lc),
        price_hat=p_hat,
        final_price_hat=final_price,
        shares=pi_new,
        expenditure=x,
        flows=flows_new,
        gross_output=y,
        value_added=economy.va_share * y,
        tariff_revenue=rev,
        deficit=d_new,
        income=income,
        closure=closure,
        iterations=iterations,
        residual=residual,
    )
