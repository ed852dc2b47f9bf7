"""Gravity rows of `tradesim validate` and of the app's Validation page."""

from __future__ import annotations

import pytest
from conftest import require_shared
from streamlit.testing.v1 import AppTest

from sim.validation import Check

pytest.importorskip("pyfixest", reason="pip install -e '.[estimate]' (part of '.[dev]')")

from sim.estimate.validation import TOLERANCE, gravity_checks, gravity_table


def test_published_rows_pass_and_cover_the_required_columns():
    checks = gravity_checks()
    graded = [c for c in checks if c.published is not None]
    assert graded and all(c.passed for c in graded), [c for c in graded if not c.passed]
    assert {c.metric for c in graded} == {"rta", "rta std. error", "observations"}
    columns = {c.case.split("Table 3 ")[1][:3] for c in checks}
    assert columns >= {"(2)", "(4)", "(6)", "(7)"}
    assert all(c.tolerance == TOLERANCE for c in graded if c.metric != "observations")
    assert all("Table 3" in c.source or "Stata log" in c.source for c in graded)
    info = [c for c in checks if c.published is None]
    assert info and all(c.passed is None and "not available" in c.source for c in info)


def test_a_wrong_published_figure_fails():
    main = next(c for c in gravity_checks() if c.metric == "rta" and c.published == 0.557)
    for shifted in (0.557 + 0.0025, 0.557 - 0.0025):
        wrong = Check(main.case, main.region, main.metric, shifted, main.reproduced,
                      main.tolerance, main.source)
        assert wrong.passed is False


def test_validate_command_shows_gravity_rows():
    require_shared("caliendo_parro_2015")
    from typer.testing import CliRunner

    from sim.cli import app

    res = CliRunner().invoke(app, ["validate"])
    assert res.exit_code == 0, res.output
    assert "Gravity" in res.output and "0.557" in res.output


def test_validation_page_section():
    at = AppTest.from_string("from sim.app.pages.validation import gravity_section\n"
                             "gravity_section()", default_timeout=60).run()
    assert not at.exception, at.exception
    assert "Structural gravity" in at.header[0].value
    table = at.dataframe[0].value
    assert table.equals(gravity_table())
    assert set(table["result"]) == {"pass", "info"}
