"""The baseline economy as numpy arrays, and the quantities derived from it.

Axis convention, used everywhere in tradesim and written down once here::

    [exporter, importer, sector]   for bilateral arrays   (i, n, j)
    [region, sector]               for regional arrays    (n, j)
    [region, input_sector, sector] for input-output shares (n, k, j)

The derivations follow Caliendo & Parro (2015, ReStud 82(1)) and their replication code:

.. math::

    Y_{ij} = \\sum_n X_{inj}, \\qquad
    E_{nj} = \\sum_i X_{inj} (1 + t_{inj}), \\qquad
    VA_n = \\sum_j \\gamma_{nj} Y_{nj}, \\qquad
    R_n = \\sum_{ij} t_{inj} X_{inj},

    D_n = \\sum_{ij} X_{inj} - \\sum_{mj} X_{nmj}, \\qquad
    I_n = VA_n + R_n + D_n, \\qquad
    F_{nj} = E_{nj} - \\sum_k \\gamma_{njk} Y_{nk}, \\qquad
    \\alpha_{nj} = \\max(F_{nj}, 0) / \\sum_j \\max(F_{nj}, 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Economy", "EconomyError"]


class EconomyError(ValueError):
    """Arrays that cannot form an economy (wrong shapes, negative values, NaN)."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise EconomyError(message)


@dataclass(frozen=True)
class Economy:
    """Baseline arrays of one world economy (immutable).

    Attributes
    ----------
    flows : ndarray [i, n, j]
        Value of importer n's purchases from exporter i in sector j at producer prices
        (net of tariffs); the diagonal ``flows[n, n, j]`` is domestic sales.
    tariffs : ndarray [i, n, j]
        Ad valorem rate that importer n applies to exporter i's sector-j goods.
    va_share : ndarray [n, j]
        Value added over gross output, γ[n, j].
    io_share : ndarray [n, k, j]
        Input sector k's share in sector j's gross output, γ[n, k, j].
    theta : ndarray [j]
        Trade elasticity of each sector (> 0).
    final_share, deficit, value_added, gross_output, expenditure, income, equilibrium_gap,
    negative_final_cells :
        Derived in ``__post_init__`` (see the module docstring).
    """

    flows: np.ndarray
    tariffs: np.ndarray
    va_share: np.ndarray
    io_share: np.ndarray
    theta: np.ndarray
    final_share: np.ndarray = field(init=False, repr=False)
    deficit: np.ndarray = field(init=False, repr=False)
    value_added: np.ndarray = field(init=False, repr=False)
    gross_output: np.ndarray = field(init=False, repr=False)
    expenditure: np.ndarray = field(init=False, repr=False)
    income: np.ndarray = field(init=False, repr=False)
    tariff_revenue: np.ndarray = field(init=False, repr=False)
    equilibrium_gap: float = field(init=False, repr=False)
    negative_final_cells: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        flows = np.asarray(self.flows, dtype=float)
        _check(flows.ndim == 3 and flows.shape[0] == flows.shape[1],
               f"flows must have shape [exporter, importer, sector], got {flows.shape}")
        n_reg, _, n_sec = flows.shape
        tariffs = np.broadcast_to(np.asarray(self.tariffs, dtype=float), flows.shape).copy()
        va = np.asarray(self.va_share, dtype=float)
        io = np.asarray(self.io_share, dtype=float)
        theta = np.asarray(self.theta, dtype=float).reshape(-1)
        _check(va.shape == (n_reg, n_sec), f"va_share must be {(n_reg, n_sec)}, got {va.shape}")
        _check(io.shape == (n_reg, n_sec, n_sec),
               f"io_share must be {(n_reg, n_sec, n_sec)}, got {io.shape}")
        _check(theta.shape == (n_sec,), f"theta must have {n_sec} entries, got {theta.shape}")
        for name, arr in (("flows", flows), ("tariffs", tariffs), ("va_share", va),
                          ("io_share", io), ("theta", theta)):
            _check(bool(np.all(np.isfinite(arr))), f"{name} contains NaN or infinite values")
            # io_share is not sign-checked here: the Caliendo–Parro data carry one coefficient
            # of -0.00085 that the replication keeps; the file loader refuses negative shares.
            if name != "io_share":
                _check(bool(np.all(arr >= 0)), f"{name} contains negative values "
                       f"(min {arr.min()})")
        _check(bool(np.all(theta > 0)), "theta must be positive in every sector")
        _check(bool(np.all(np.diagonal(tariffs, axis1=0, axis2=1) == 0)),
               "tariffs on domestic sales (exporter == importer) must be 0")

        gross_output = flows.sum(axis=1)                                    # Y[i, j]
        expenditure = (flows * (1.0 + tariffs)).sum(axis=0)                 # E[n, j]
        _check(bool(np.all(gross_output.sum(axis=1) > 0)),
               "every region needs positive gross output")
        value_added = (va * gross_output).sum(axis=1)                      # VA[n]
        _check(bool(np.all(value_added > 0)), "every region needs positive value added")
        tariff_revenue = (tariffs * flows).sum(axis=(0, 2))                 # R[n]
        deficit = flows.sum(axis=(0, 2)) - flows.sum(axis=(1, 2))           # D[n]
        income = value_added + tariff_revenue + deficit                     # I[n]
        _check(bool(np.all(income > 0)), "income (value added + tariff revenue + deficit) "
               "must be positive in every region")
        intermediate = np.einsum("njk,nk->nj", io, gross_output)            # Σ_k γ[n,j,k] Y[n,k]
        final = expenditure - intermediate                                  # F[n, j]
        negative = int((final < 0).sum())
        clipped = np.maximum(final, 0.0)
        totals = clipped.sum(axis=1, keepdims=True)
        _check(bool(np.all(totals > 0)), "final demand is non-positive in every sector of some "
               "region: the tables cannot be read as an economy")
        alpha = clipped / totals
        # how far the data are from an equilibrium of the model once α is fixed:
        implied = intermediate + alpha * income[:, None]
        gap = float(np.max(np.abs(implied - expenditure)) / max(expenditure.max(), 1e-300))

        for name, value in (("flows", flows), ("tariffs", tariffs), ("va_share", va),
                            ("io_share", io), ("theta", theta), ("final_share", alpha),
                            ("deficit", deficit), ("value_added", value_added),
                            ("gross_output", gross_output), ("expenditure", expenditure),
                            ("income", income), ("tariff_revenue", tariff_revenue),
                            ("equilibrium_gap", gap), ("negative_final_cells", negative)):
            if isinstance(value, np.ndarray):
                value.setflags(write=False)
            object.__setattr__(self, name, value)

    @property
    def n_regions(self) -> int:
        return int(self.flows.shape[0])

    @property
    def n_sectors(self) -> int:
        return int(self.flows.shape[2])

    @property
    def shares(self) -> np.ndarray:
        """Expenditure shares gross of tariffs π[i, n, j] (Σ_i π = 1 where n buys sector j)."""
        gross = self.flows * (1.0 + self.tariffs)
        total = gross.sum(axis=0, keepdims=True)
        return np.divide(gross, total, out=np.zeros_like(gross), where=total > 0)

    def with_theta(self, theta: np.ndarray) -> Economy:
        """The same economy with other trade elasticities."""
        return Economy(self.flows, self.tariffs, self.va_share, self.io_share, theta)
