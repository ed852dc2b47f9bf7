"""Random economies for the model tests."""

from __future__ import annotations

import numpy as np

from sim.model import Economy, EconomyError


def random_economy(seed: int, n_regions: int = 4, n_sectors: int = 3,
                   tariffs: bool = True, io_links: bool = True) -> Economy:
    """A random economy with positive income everywhere (deficits may be large)."""
    for attempt in range(100):
        try:
            return _draw(seed + 7919 * attempt, n_regions, n_sectors, tariffs, io_links)
        except EconomyError:
            continue
    raise RuntimeError("no valid random economy found")


def _draw(seed: int, n_regions: int, n_sectors: int, tariffs: bool, io_links: bool) -> Economy:
    rng = np.random.default_rng(seed)
    flows = rng.lognormal(0.0, 1.0, (n_regions, n_regions, n_sectors))
    flows[np.arange(n_regions), np.arange(n_regions), :] *= 4.0 * n_regions
    rates = rng.uniform(0.0, 0.25, flows.shape) if tariffs else np.zeros(flows.shape)
    rates[np.arange(n_regions), np.arange(n_regions), :] = 0.0
    va = rng.uniform(0.3, 0.8, (n_regions, n_sectors)) if io_links else np.ones(
        (n_regions, n_sectors))
    mix = rng.dirichlet(np.ones(n_sectors), (n_regions, n_sectors)).transpose(0, 2, 1)
    io = mix * (1.0 - va)[:, None, :]
    theta = rng.uniform(2.0, 9.0, n_sectors)
    return Economy(flows=flows, tariffs=rates, va_share=va, io_share=io, theta=theta)
