"""The solved baseline of an economy, solved once per content (economy, closure, θ).

A counterfactual is compared with the model's own baseline: the equilibrium at the baseline
tariffs (t' = t, d̂ = 1, b = 1) under the same closure and elasticities. It does not depend on
the shock, so it is solved once and kept. The key is the *content* of the economy's defining
arrays (flows, tariffs, γ, io shares, θ; everything else is derived from them) as bytes, with
their shapes, the closure and the θ override: an economy rebuilt with the same numbers hits, a
changed number misses, and equal keys mean equal arrays (the dictionary compares the bytes, so
there is no hash collision to fear). The kept equilibria are read-only (``writeable = False``),
so a caller cannot change a cached result by mistake. At most :data:`CACHE_SIZE` baselines are
kept, least recently used first out.

Both the baseline and its chord preconditioner are computed with BLAS on one thread
(:func:`sim.model.threads.one_blas_thread`), whoever asks first: the last bits of a solve can
depend on how many threads BLAS splits a product over, and a cached object must not depend on
whether the main process or a batch worker computed it.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import fields

import numpy as np

from sim.model.economy import Economy
from sim.model.solver import Closure, Equilibrium, Preconditioner, preconditioner, solve
from sim.model.threads import one_blas_thread

__all__ = ["CACHE_SIZE", "baseline_preconditioner", "clear_baseline_cache", "economy_key",
           "solved_baseline"]

CACHE_SIZE = 16
_CACHE: OrderedDict[tuple, Equilibrium] = OrderedDict()
_PRECONDITIONERS: OrderedDict[tuple, Preconditioner | None] = OrderedDict()


def economy_key(economy: Economy, theta: np.ndarray | None = None) -> tuple:
    """The economy's defining arrays (and a θ override) as (shape, bytes) pairs."""
    arrays = [economy.flows, economy.tariffs, economy.va_share, economy.io_share, economy.theta]
    if theta is not None:
        arrays.append(theta)
    pairs = [(np.shape(a), np.ascontiguousarray(a, dtype=np.float64).tobytes()) for a in arrays]
    return (*pairs, theta is not None)


def _read_only(eq: Equilibrium) -> Equilibrium:
    values = {}
    for f in fields(eq):
        v = getattr(eq, f.name)
        if isinstance(v, np.ndarray):
            v = np.array(v, copy=True)
            v.setflags(write=False)
        values[f.name] = v
    return Equilibrium(**values)


def solved_baseline(economy: Economy, closure: Closure = "fixed", *,
                    theta: np.ndarray | None = None) -> Equilibrium:
    """``solve(economy, closure=closure, theta=theta)``, computed once per content.

    Equal inputs give the same object; its arrays are read-only.
    """
    key = (economy_key(economy, theta), closure)
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key, last=True)
        return hit
    with one_blas_thread():
        eq = _CACHE.setdefault(key, _read_only(solve(economy, closure=closure, theta=theta)))
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return eq


def baseline_preconditioner(economy: Economy, closure: Closure = "fixed", *,
                            theta: np.ndarray | None = None) -> Preconditioner | None:
    """:func:`sim.model.solver.preconditioner` at :func:`solved_baseline`, computed once per
    content like the baseline (None when the economy is too large for a dense J⁻¹)."""
    key = (economy_key(economy, theta), closure)
    if key in _PRECONDITIONERS:
        _PRECONDITIONERS.move_to_end(key, last=True)
        return _PRECONDITIONERS[key]
    base = solved_baseline(economy, closure, theta=theta)
    with one_blas_thread():
        pre = _PRECONDITIONERS.setdefault(key, preconditioner(economy, base, closure,
                                                              theta=theta))
    while len(_PRECONDITIONERS) > CACHE_SIZE:
        _PRECONDITIONERS.popitem(last=False)
    return pre


def clear_baseline_cache() -> None:
    """Forget every kept baseline and preconditioner (tests, memory)."""
    _CACHE.clear()
    _PRECONDITIONERS.clear()
