"""Welfare by agreement channel with Monte Carlo bands (issue 12's closing figures).

    python benchmarks/channel_bands.py variants DIR     # write the channel-step scenario files
    tradesim mc tpp12 DIR/tpp12__tariffs.toml DIR/tpp12__goods.toml no_tpp_ever \\
        DIR/no_tpp_ever__tariffs.toml DIR/no_tpp_ever__goods.toml \\
        DIR/historical__tariffs.toml DIR/historical__goods.toml --reference historical \\
        --draws 1000 --reporting annual --metric welfare_pct --region USA,JPN --out STORE
    python benchmarks/channel_bands.py summarise STORE [--year 2032]

The step files extend a library scenario with ``[settings] channels`` = [] (tariffs only) or
["goods_nontariff"]; the library file itself is the last step (all channels). For TPP-12
against history and against no_tpp_ever, the sequential parts (tariffs, + goods non-tariff,
+ services, total) are computed per draw from the runs' welfare against the solved baseline
(ratios, as ``against_reference``) and summarised by the median and the 5th/95th percentiles.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

STEPS = {"tariffs": "[]", "goods": '["goods_nontariff"]'}
SIDES = ("tpp12", "historical", "no_tpp_ever")


def variants(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in SIDES:
        for step, chans in STEPS.items():
            (out / f"{name}__{step}.toml").write_text(
                f'name = "{name}__{step}"\nextends = "{name}"\n\n[settings]\n'
                f"channels = {chans}\n")
    print(f"wrote {len(SIDES) * len(STEPS)} files into {out}")


def summarise(store: Path, year: int) -> pd.DataFrame:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from sim.batch import ResultsStore

    res = ResultsStore(store).results()
    res = res[(res["reference"] == "") & (res["metric"] == "welfare_pct")
              & (pd.to_datetime(res["date"]).dt.year == year)]
    w = res.pivot_table(index=["draw", "region"], columns="scenario", values="value")

    def ratio(a: pd.Series, b: pd.Series) -> pd.Series:
        return 100 * ((1 + a / 100) / (1 + b / 100) - 1)

    rows = []
    for ref in ("historical", "no_tpp_ever"):
        lv = [ratio(w[f"tpp12__{s}"], w[f"{ref}__{s}"]) for s in STEPS]
        lv.append(ratio(w["tpp12"], w[ref]))
        parts = {"tariffs": lv[0], "goods_nontariff": lv[1] - lv[0],
                 "services": lv[2] - lv[1], "total": lv[2]}
        for part, v in parts.items():
            for region, x in v.groupby(level="region"):
                q = np.percentile(x.to_numpy(), [5, 50, 95])
                rows.append({"reference": ref, "region": region, "channel": part,
                             "median": q[1], "p5": q[0], "p95": q[2], "draws": len(x)})
    return pd.DataFrame(rows)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "variants":
        variants(Path(sys.argv[2]))
    elif len(sys.argv) >= 3 and sys.argv[1] == "summarise":
        y = int(sys.argv[sys.argv.index("--year") + 1]) if "--year" in sys.argv else 2032
        with pd.option_context("display.width", 140, "display.float_format", "{:.3f}".format):
            print(summarise(Path(sys.argv[2]), y).to_string(index=False))
    else:
        sys.exit(__doc__)
