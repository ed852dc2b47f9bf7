"""Staging categories and cut dates."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sim.policy import Equal, Free, Keep, Path, Stages, cuts_made
from sim.policy.dates import quota_year, quota_year_start

EIF = date(2018, 12, 30)


def test_cptpp_quirk_second_cut_on_january_first():
    """Entry into force 2018-12-30 gives the first cut that day and the second on 2019-01-01."""
    assert cuts_made(date(2018, 12, 29), EIF, EIF, (1, 1)) == 0
    assert cuts_made(EIF, EIF, EIF, (1, 1)) == 1
    assert cuts_made(date(2019, 1, 1), EIF, EIF, (1, 1)) == 2
    assert cuts_made(date(2019, 3, 31), EIF, EIF, (4, 1)) == 1
    assert cuts_made(date(2019, 4, 1), EIF, EIF, (4, 1)) == 2


def test_late_member_gets_current_year_rate():
    """A member joining later starts at the agreement's current stage (agreement clock)."""
    assert cuts_made(date(2021, 9, 19), date(2021, 9, 19), EIF, (1, 1)) == 4


def test_usjta_beef_path_matches_checked_points():
    """USJTA beef: 26.6 % on 2020-01-01, 25.8 % on 2020-04-01, 25.0 % on 2021-04-01, 22.5 % 2024."""
    rates = (0.275, 0.266, 0.258, 0.25, 0.241, 0.233, 0.225)
    s, eif = Stages(rates=rates), date(2020, 1, 1)
    for d, r in [("2020-01-01", 0.266), ("2020-04-01", 0.258), ("2021-04-01", 0.25),
                 ("2024-04-01", 0.225)]:
        day = date.fromisoformat(d)
        assert s.rate(0.385, cuts_made(day, eif, EIF, (4, 1)), day) == r


def test_free_keep_path():
    """Free is 0 from EIF; Keep keeps the base; Path follows its dates."""
    assert Free().rate(0.1, 0, EIF) == 0.1 and Free().rate(0.1, 1, EIF) == 0.0
    assert Keep().rate(0.1, 5, EIF) == 0.1
    p = Path(((date(2020, 1, 1), 0.05), (date(2021, 1, 1), 0.02)))
    assert p.rate(0.1, 1, date(2020, 6, 1)) == 0.05 and p.rate(0.1, 1, date(2019, 6, 1)) == 0.1


@given(base=st.floats(0, 2), n=st.integers(1, 30), final=st.floats(0, 1),
       start=st.dates(date(2000, 1, 1), date(2030, 1, 1)), md=st.sampled_from([(1, 1), (4, 1)]))
def test_equal_staging_monotone_and_bounded(base, n, final, start, md):
    """n equal stages: non-increasing over time, between min(final, base) and base."""
    s = Equal(n, final)
    prev = base
    for k in range(40):
        day = start + timedelta(days=120 * k)
        r = float(s.rate(base, cuts_made(day, start, start, md), day))
        assert min(final, base) - 1e-12 <= r <= base + 1e-12
        assert r <= prev + 1e-12
        prev = r
    assert float(s.rate(base, n, start)) == min(final, base)


@given(st.dates(date(2000, 1, 1), date(2040, 1, 1)))
def test_quota_year_april_to_march(d):
    """Japan's quota year runs April 1 to March 31 and is labelled by its first year."""
    s = quota_year_start(d)
    assert (s.month, s.day) == (4, 1) and s <= d < s.replace(year=s.year + 1)
    assert quota_year(d) == s.year


def test_policy_layer_imports_no_simpy():
    """The policy layer loads neither simpy nor streamlit."""
    import subprocess
    import sys

    code = ("import sys, sim.policy; bad = [m for m in ('simpy', 'streamlit') if m in "
            "sys.modules]; sys.exit(1 if bad else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
