"""Biproportional (RAS) balancing and capped target allocation."""

from __future__ import annotations

import numpy as np

from sim.data.build import BuildError


def ras(prior: np.ndarray, row_targets: np.ndarray, col_targets: np.ndarray,
        tol: float = 1e-10, max_iter: int = 5000) -> np.ndarray:
    """Scale a non-negative matrix so its row and column sums hit the targets.

    Rows/columns with a zero target become zero. Targets must have equal totals (relative
    1e-9) and every positive target needs a positive prior somewhere in its row/column.
    """
    p = np.asarray(prior, dtype=float)
    r = np.asarray(row_targets, dtype=float)
    c = np.asarray(col_targets, dtype=float)
    if (p < 0).any() or (r < 0).any() or (c < 0).any():
        raise BuildError("RAS: negative prior or target")
    tot = r.sum()
    if abs(tot - c.sum()) > 1e-9 * max(tot, 1.0):
        raise BuildError(f"RAS: row total {tot!r} != column total {c.sum()!r}")
    if tot == 0:
        return np.zeros_like(p)
    x = p.copy()
    for _ in range(max_iter):
        rs = x.sum(axis=1)
        fr = np.divide(r, rs, out=np.zeros_like(r), where=rs > 0)
        x *= fr[:, None]
        cs = x.sum(axis=0)
        fc = np.divide(c, cs, out=np.zeros_like(c), where=cs > 0)
        x *= fc[None, :]
        err = np.abs(x.sum(axis=1) - r).max()
        if err <= tol * max(tot, 1.0):
            return x
    raise BuildError(f"RAS did not converge (row gap {err!r} after {max_iter} iterations)")


def capped_targets(weights: np.ndarray, caps: np.ndarray, total: float) -> np.ndarray:
    """Split ``total`` in proportion to ``weights`` without exceeding ``caps`` (water filling).

    If the caps cannot hold the total, return the caps (the caller reports the shortfall).
    """
    w = np.asarray(weights, dtype=float).copy()
    cap = np.asarray(caps, dtype=float)
    if total >= cap.sum():
        return cap.copy()
    out = np.zeros_like(w)
    free = cap > 0
    remaining = total
    for _ in range(len(w) + 1):
        ws = w[free].sum()
        if ws <= 0:
            # no weight left on the free cells: fill them by remaining capacity
            w[free] = cap[free] - out[free]
            ws = w[free].sum()
            if ws <= 0:
                break
        share = np.zeros_like(w)
        share[free] = remaining * w[free] / ws
        over = free & (out + share > cap)
        if not over.any():
            out += share
            return out
        out[over] = cap[over]
        remaining = total - out.sum()
        free &= ~over
    return out
