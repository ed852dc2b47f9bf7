"""Baselines the model can solve are accepted: zero domestic sales (a 194-country one-sector
goods matrix where two small economies export more than they produce for home), and the
Caliendo-Parro 1993 data written as a user's baseline directory reproduce the NAFTA numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app

runner = CliRunner()


def _write_world(root, n=194, zero=(17, 101), seed=3):
    rng = np.random.default_rng(seed)
    size = rng.lognormal(3.0, 1.5, n)
    x, y = rng.uniform(0, 100, n), rng.uniform(0, 100, n)
    dist = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :]) + 5.0
    flows = size[:, None] * size[None, :] / dist ** 1.2
    np.fill_diagonal(flows, size ** 2 * 0.6)
    for k in zero:
        flows[k, k] = 0.0                   # buys goods only from abroad
    codes = [f"R{k:03d}" for k in range(n)]
    root.mkdir()
    pd.DataFrame({"sector": ["goods"], "theta": [4.0]}).to_csv(root / "sectors.csv",
                                                              index=False)
    i, m = np.meshgrid(range(n), range(n), indexing="ij")
    keep = flows.ravel() > 0
    pd.DataFrame({"exporter": np.array(codes)[i.ravel()][keep],
                  "importer": np.array(codes)[m.ravel()][keep], "sector": "goods",
                  "value": flows.ravel()[keep]}).to_csv(root / "flows.csv", index=False)
    return codes


def test_194_countries_with_two_zero_domestic_economies_solve(tmp_path):
    codes = _write_world(tmp_path / "world")
    res = runner.invoke(app, ["baseline", str(tmp_path / "world")])
    assert res.exit_code == 0, res.output
    assert "zero domestic sales in 2 region-sector cells" in res.output
    shock = tmp_path / "shock.csv"
    shock.write_text(f"exporter,importer,sector,tariff\n*,{codes[17]},goods,0.1\n"
                     f"{codes[101]},*,goods,0.05\n")
    res = runner.invoke(app, ["counterfactual", "--shock", str(shock), "--out",
                              str(tmp_path / "out"), "--baseline", str(tmp_path / "world")])
    assert res.exit_code == 0, res.output
    regions = pd.read_csv(tmp_path / "out" / "regions.csv")
    assert len(regions) == 194 and np.isfinite(regions.welfare_pct).all()
    flows = pd.read_csv(tmp_path / "out" / "flows.csv")
    dom = flows[(flows.exporter == flows.importer) & flows.exporter.isin([codes[17],
                                                                         codes[101]])]
    assert (dom.value_base == 0).all() and (dom.value_new == 0).all()
    imp = flows[(flows.importer == codes[17]) & (flows.exporter != codes[17])]
    assert np.allclose(imp[imp.exporter != codes[101]].tariff_new, 0.1)
    assert np.abs(regions.set_index("region").welfare_pct[[codes[17], codes[101]]]).min() > 0


@pytest.mark.shared_data
@pytest.mark.parametrize("closure", ["zero", "fixed"])
def test_caliendo_parro_1993_as_a_user_baseline_reproduces_nafta(tmp_path, closure):
    """The CP 1993 tables (26 cells with zero domestic sales) written as CSV tables in a
    baseline directory, the NAFTA tariff cuts as a shock CSV: `tradesim counterfactual`
    reproduces the published figures `tradesim validate` checks."""
    from conftest import require_shared

    from sim.data.cp2015 import NAFTA, load_cp2015
    from sim.validation import CP2015_PUBLISHED

    case = load_cp2015(require_shared("caliendo_parro_2015"))
    e = case.economy
    regions, sectors = list(case.regions), list(case.sectors)
    n_reg, n_sec = len(regions), len(sectors)
    assert int((np.diagonal(e.flows, axis1=0, axis2=1) == 0).sum()) == 26
    root = tmp_path / "cp1993"
    root.mkdir()
    pd.DataFrame({"region": regions}).to_csv(root / "regions.csv", index=False)
    pd.DataFrame({"sector": sectors, "theta": e.theta}).to_csv(root / "sectors.csv",
                                                              index=False)
    i, n, j = (a.ravel() for a in np.meshgrid(range(n_reg), range(n_reg), range(n_sec),
                                              indexing="ij"))
    rows = e.flows.ravel() > 0          # domestic zeros simply left out, as a user would
    pd.DataFrame({"exporter": np.array(regions)[i[rows]], "importer": np.array(regions)[n[rows]],
                  "sector": np.array(sectors)[j[rows]],
                  "value": [repr(float(v)) for v in e.flows.ravel()[rows]]}
                 ).to_csv(root / "flows.csv", index=False)
    t = e.tariffs.ravel() > 0
    pd.DataFrame({"exporter": np.array(regions)[i[t]], "importer": np.array(regions)[n[t]],
                  "sector": np.array(sectors)[j[t]],
                  "rate": [repr(float(v)) for v in e.tariffs.ravel()[t]]}
                 ).to_csv(root / "tariffs.csv", index=False)
    # one I-O coefficient of the replication data is -0.00085: a user's table holds 0 there
    io = np.maximum(np.asarray(e.io_share), 0.0)                       # [n, k, j]
    va = 1.0 - io.sum(axis=1)
    r, s_ = (a.ravel() for a in np.meshgrid(range(n_reg), range(n_sec), indexing="ij"))
    pd.DataFrame({"region": np.array(regions)[r], "sector": np.array(sectors)[s_],
                  "share": [repr(float(v)) for v in va.ravel()]}
                 ).to_csv(root / "value_added.csv", index=False)
    r3, k3, j3 = (a.ravel() for a in np.meshgrid(range(n_reg), range(n_sec), range(n_sec),
                                                 indexing="ij"))
    pd.DataFrame({"region": np.array(regions)[r3], "input_sector": np.array(sectors)[k3],
                  "sector": np.array(sectors)[j3],
                  "share": [repr(float(v)) for v in io.ravel()]}
                 ).to_csv(root / "io.csv", index=False)
    changed = np.argwhere(case.tariffs_nafta != e.tariffs)
    shock = tmp_path / "nafta.csv"
    pd.DataFrame({"exporter": [regions[a] for a, _, _ in changed],
                  "importer": [regions[b] for _, b, _ in changed],
                  "sector": [sectors[c] for _, _, c in changed],
                  "tariff": [repr(float(case.tariffs_nafta[a, b, c])) for a, b, c in changed]}
                 ).to_csv(shock, index=False)
    out = tmp_path / "out"
    res = runner.invoke(app, ["counterfactual", "--shock", str(shock), "--out", str(out),
                              "--baseline", str(root), "--closure", closure])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(out / "regions.csv").set_index("region")
    checked = 0
    for (cl, metric), (values, tol) in CP2015_PUBLISHED.items():
        if cl != closure:
            continue
        for region, published in zip(NAFTA, values, strict=True):
            assert abs(got.loc[region, metric] - published) <= tol, (region, metric)
            checked += 1
    assert checked == (12 if closure == "zero" else 6)
