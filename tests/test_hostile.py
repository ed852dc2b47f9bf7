"""Hostile input across the command line and the app: every file of ``tests/hostile/`` and
generated ones (random bytes, huge, deeply nested, every encoding, crafted baselines and
stores). Each gets its exit code and a message naming the problem, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from batch_helpers import BASELINE
from typer.testing import CliRunner

from sim.cli import app

HOSTILE = Path(__file__).parent / "hostile"
runner = CliRunner()

# file -> (exit code of check/run/mc, a piece of the message)
SCENARIOS = {
    "scenario_latin1.toml": (2, "not UTF-8 text (byte 0xe9)"),
    "scenario_utf16_excel.toml": (0, "ok"),
    "scenario_utf16_no_bom.toml": (2, "NUL bytes"),
    "scenario_utf8_bom.toml": (0, "ok"),
    "scenario_random_bytes.toml": (2, "scenario_random_bytes.toml"),
    "scenario_empty.toml": (2, "name"),
    "scenario_not_toml.toml": (2, "not valid TOML"),
    "scenario_extends_absolute_path.toml": (2, "extends: must be a scenario name"),
    "scenario_extends_dotdot.toml": (2, "extends: must be a scenario name"),
    "scenario_extends_number.toml": (2, "extends: must be a scenario name"),
    "scenario_calibrated_to_unknown.toml": (2, "calibrated_to: unknown scenario 'nowhere'"),
    "scenario_calibrated_to_path.toml": (2, "calibrated_to"),
    "scenario_end_9999.toml": (2, "must lie within"),
    "scenario_horizon_2000_years.toml": (2, "must lie within"),
    "scenario_rate_true.toml": (2, "must be a number, not true/false"),
    "scenario_rate_inf.toml": (2, "finite number"),
    "scenario_rate_nan.toml": (2, "finite number"),
    "scenario_date_as_integer.toml": (2, "must be a date (YYYY-MM-DD), not a number"),
    "scenario_date_as_text.toml": (2, "effective"),
    "scenario_unknown_key.toml": (2, "OPENAI_API_KEY"),
    "scenario_settings_not_a_table.toml": (2, "settings"),
    "scenario_events_not_an_array.toml": (2, "events"),
    "scenario_name_with_slash.toml": (2, "name"),
    "scenario_end_before_start.toml": (2, "must be after start"),
}

SHOCKS = {
    "shock_latin1.csv": (2, "not UTF-8 text"),
    "shock_utf16_excel.csv": (0, "wrote"),
    "shock_utf8_bom.csv": (0, "wrote"),
    "shock_ragged_row.csv": (2, "line 2: 5 fields, the header has 4"),
    "shock_short_row.csv": (2, "line 2: 2 fields, the header has 4"),
    "shock_decimal_comma.csv": (2, "decimal comma"),
    "shock_decimal_comma_quoted.csv": (2, "decimal comma"),
    "shock_underscore_number.csv": (2, "underscores"),
    "shock_inf.csv": (2, "must be finite"),
    "shock_nan.csv": (2, "must be finite"),
    "shock_overflow.csv": (2, "too large"),
    "shock_cost_1e308.csv": (2, "must be <= 1e+06"),
    "shock_blank_exporter.csv": (2, "column 'exporter' is blank"),
    "shock_bool_tariff.csv": (2, "not a number: 'true'"),
    "shock_random_bytes.csv": (2, "shock_random_bytes.csv"),
    "shock_empty.csv": (2, "missing column"),
    "shock_header_only.csv": (2, "no rows"),
    "shock_domestic_pair.csv": (2, "domestic sales"),
    "shock_unknown_region.csv": (2, "unknown exporter 'THA'"),
    "shock_duplicate_column.csv": (2, "appear twice"),
    "shock_unclosed_quote.csv": (2, "fields"),
}


def _assert(res, code, piece):
    out = res.output
    assert res.exit_code == code, out
    assert "Traceback" not in out, out
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert piece in out, out


def test_corpus_lists_every_file():
    files = {p.name for p in HOSTILE.iterdir() if p.suffix in (".toml", ".csv")}
    assert files == set(SCENARIOS) | set(SHOCKS)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_corpus_check(name):
    code, piece = SCENARIOS[name]
    _assert(runner.invoke(app, ["check", str(HOSTILE / name)]), code, piece)


@pytest.mark.parametrize("name", sorted(n for n, (c, _) in SCENARIOS.items() if c))
def test_scenario_corpus_run_and_mc(name, tmp_path):
    """run and mc refuse what check refuses, with the same message, before solving."""
    code, piece = SCENARIOS[name]
    _assert(runner.invoke(app, ["run", str(HOSTILE / name), "--out", str(tmp_path / "r"),
                                "--baseline", BASELINE]), code, piece)
    _assert(runner.invoke(app, ["mc", str(HOSTILE / name), "--out", str(tmp_path / "m"),
                                "--draws", "1", "--baseline", BASELINE]), code, piece)
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize("name", sorted(SHOCKS))
def test_shock_corpus_counterfactual(name, tmp_path, tiny_baseline_dir):
    code, piece = SHOCKS[name]
    res = runner.invoke(app, ["counterfactual", "--shock", str(HOSTILE / name), "--out",
                              str(tmp_path / "o"), "--baseline", str(tiny_baseline_dir)])
    _assert(res, code, piece)
    if code:
        assert not (tmp_path / "o").exists()


# ----------------------------------------------------------------------------- generated
@pytest.mark.parametrize("size", [1, 7, 100, 4096])
def test_random_bytes_of_every_size(size, tmp_path, tiny_baseline_dir):
    data = os.urandom(size)
    f = tmp_path / "x.toml"
    f.write_bytes(data)
    res = runner.invoke(app, ["check", str(f)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    c = tmp_path / "x.csv"
    c.write_bytes(data)
    res = runner.invoke(app, ["counterfactual", "--shock", str(c), "--out", str(tmp_path / "o"),
                              "--baseline", str(tiny_baseline_dir)])
    assert res.exit_code == 2 and "Traceback" not in res.output


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                                      "utf-32", "latin-1", "cp1252", "shift_jis"])
def test_every_encoding_reads_or_is_refused_clearly(encoding, tmp_path):
    text = ('name = "enc"\nstart = 2024-01-01\nend = 2026-01-01\ncalibrated_to = "self"\n'
            'title = "Zoll-\u00e9tude \u95a2\u7a0e"\n')
    data = text.encode(encoding, errors="replace")      # CJK becomes ? in latin-1
    f = tmp_path / "enc.toml"
    f.write_bytes(data)
    res = runner.invoke(app, ["check", str(f)])
    assert "Traceback" not in res.output
    if encoding in ("utf-8", "utf-8-sig", "utf-16"):    # utf-16 writes a byte-order mark
        assert res.exit_code == 0, res.output
    else:
        assert res.exit_code == 2, res.output
        assert "UTF-8" in res.output or "not a text file" in res.output, res.output


def test_huge_and_deeply_nested_scenarios(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    _assert(runner.invoke(app, ["check", str(deep)]), 2, "nested too deeply")
    tables = tmp_path / "tables.toml"
    tables.write_text("[" + ".".join(["a"] * 500) + "]\nx = 1\n")
    _assert(runner.invoke(app, ["check", str(tables)]), 2, "nested too deeply")
    huge = tmp_path / "huge.toml"
    huge.write_bytes(b"# " + b"x" * (2 * 1024 * 1024))
    _assert(runner.invoke(app, ["check", str(huge)]), 2, "bytes, more than")
    long_name = tmp_path / "long.toml"
    long_name.write_text(f'name = "{"n" * 10_000}"\nstart = 2024-01-01\nend = 2026-01-01\n'
                         'calibrated_to = "self"\n')
    res = runner.invoke(app, ["check", str(long_name)])
    _assert(res, 2, "at most 100 characters")
    assert "n" * 200 not in res.output        # the value is shortened in the message


# ----------------------------------------------------------------------------- baselines
def _tiny(tmp_path, tiny_baseline_dir):
    d = tmp_path / "b"
    shutil.copytree(tiny_baseline_dir, d)
    return d


@pytest.mark.parametrize("case, edit, piece", [
    ("metadata_list", lambda d: (d / "metadata.json").write_text("[1, 2]"),
     "must be a JSON object"),
    ("metadata_string", lambda d: (d / "metadata.json").write_text('"hello"'),
     "must be a JSON object"),
    ("metadata_latin1", lambda d: (d / "metadata.json").write_bytes(b'{"name": "caf\xe9"}'),
     "not UTF-8"),
    ("metadata_deep", lambda d: (d / "metadata.json").write_text("[" * 100_000 + "]" * 100_000),
     "metadata.json"),
    ("metadata_year_text", lambda d: (d / "metadata.json").write_text('{"year": "2020"}'),
     "field 'year'"),
    ("flows_latin1", lambda d: (d / "flows.csv").write_bytes(
        (d / "flows.csv").read_bytes() + "AAA,BBB,goods,1\n# \xe9\n".encode("latin-1")),
     "not UTF-8"),
    ("flows_ragged", lambda d: (d / "flows.csv").write_text(
        (d / "flows.csv").read_text() + "AAA,BBB,goods,1,2\n"), "fields, the header has"),
    ("flows_decimal_comma", lambda d: (d / "flows.csv").write_text(
        (d / "flows.csv").read_text() + 'AAA,CCC,services,"1,5"\n'), "decimal comma"),
    ("flows_blank_value", lambda d: (d / "flows.csv").write_text(
        (d / "flows.csv").read_text() + "AAA,CCC,services,\n"), "is blank"),
    ("flows_inf", lambda d: (d / "flows.csv").write_text(
        (d / "flows.csv").read_text() + "AAA,CCC,services,inf\n"), "must be finite"),
    ("sectors_tradable_maybe", lambda d: (d / "sectors.csv").write_text(
        (d / "sectors.csv").read_text().replace(",1,Goods", ",maybe,Goods")), "tradable"),
    ("flows_random_bytes", lambda d: (d / "flows.csv").write_bytes(os.urandom(300)), "flows.csv"),
    ("flows_is_a_directory", lambda d: ((d / "flows.csv").unlink(), (d / "flows.csv").mkdir()),
     "flows.csv"),
])
def test_hostile_baselines(case, edit, piece, tmp_path, tiny_baseline_dir):
    d = _tiny(tmp_path, tiny_baseline_dir)
    edit(d)
    for cmd in (["baseline", str(d)],
                ["counterfactual", "--shock", str(HOSTILE / "shock_utf8_bom.csv"), "--out",
                 str(tmp_path / "o"), "--baseline", str(d)]):
        _assert(runner.invoke(app, cmd), 2, piece)


def test_tradable_flag_in_any_case(tmp_path, tiny_baseline_dir):
    """`tradable = TRUE` is tradable (it was read as not tradable)."""
    from sim.data.baseline import load_baseline

    d = _tiny(tmp_path, tiny_baseline_dir)
    s = d / "sectors.csv"
    s.write_text(s.read_text().replace(",1,Goods", ",TRUE,Goods").replace(",0,Serv", ",No,Serv"))
    b = load_baseline(d)
    assert b.economy.flows[0, 1, 0] > 0            # goods still traded
    assert load_baseline(tiny_baseline_dir).sectors == b.sectors


def test_baseline_with_utf16_and_bom_tables_reads(tmp_path, tiny_baseline_dir):
    d = _tiny(tmp_path, tiny_baseline_dir)
    f = d / "flows.csv"
    f.write_bytes(b"\xff\xfe" + f.read_text().encode("utf-16-le"))
    s = d / "sectors.csv"
    s.write_bytes(b"\xef\xbb\xbf" + s.read_bytes())
    _assert(runner.invoke(app, ["baseline", str(d)]), 0, "baseline")


# ----------------------------------------------------------------------------- options
@pytest.mark.parametrize("args, piece", [
    (["mc", "{a}", "--draws", "100000000"], "more than the 200,000"),
    (["mc", "{a}", "--seed", "-1"], "--seed must be >= 0"),
    (["mc", "{a}", "--baseline", "nope"], "baseline 'nope' not found"),
    (["sweep", "{a}", "--param", "lambda=nan"], "not a finite number"),
    (["sweep", "{a}", "--param", "lambda=0.1,inf"], "not a finite number"),
    (["sweep", "{a}", "--param", "model.theta_scale=1_000"], "underscores"),
    (["sweep", "{a}", "--param", "model.theta_scale=1:9000:1",
      "--param", "lambda=0.0001:0.9:0.0001"], "more runs than"),
    (["sweep", "{a}", "--param", "events.us_tariff_jp.effective=0001-01-01:9999-12-31:1d"],
     "more than 10,000 values"),
    (["sweep", "{a}", "--param", "events.us_tariff_jp.effective=9999-01-01:9999-12-31:1m"],
     "is before effective"),
    (["run", "{a}", "--adjustment-speed", "0"], "--adjustment-speed must be > 0"),
    (["run", "{a}", "--adjustment-speed", "5"], "--adjustment-speed must be > 0"),
    (["run", "{a}", "--adjustment-speed", "inf"], "--adjustment-speed must be > 0"),
    (["run", "{a}", "--theta", "nope"], "theta_nope"),
    (["run", "{a}", "--baseline", "nope"], "baseline 'nope' not found"),
    (["run", "{a}", "{a}", "--reference", "{a}"], ""),
])
def test_bad_options_exit_2(args, piece, tmp_path):
    from batch_helpers import scenario_files

    a, _ = scenario_files(tmp_path)
    args = [x.format(a=a) for x in args]
    if "--baseline" not in args:
        args += ["--baseline", BASELINE]
    res = runner.invoke(app, [*args, "--out", str(tmp_path / "o")])
    if piece:
        _assert(res, 2, piece)
    else:       # the same scenario twice: no conflict, it runs
        assert res.exit_code == 0, res.output


def test_outputs_that_overwrite_each_other_are_refused(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text('name = "historical"\nstart = 2024-01-01\nend = 2026-01-01\n'
                 'calibrated_to = "self"\n')
    res = runner.invoke(app, ["run", str(f), "--reference", "historical", "--out",
                              str(tmp_path / "o"), "--baseline", BASELINE])
    _assert(res, 2, "Rename one")
    assert not (tmp_path / "o").exists()


def test_out_that_is_a_file_exits_2(tmp_path, tiny_baseline_dir):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = runner.invoke(app, ["counterfactual", "--shock", str(HOSTILE / "shock_utf8_bom.csv"),
                              "--out", str(blocker), "--baseline", str(tiny_baseline_dir)])
    _assert(res, 2, str(blocker))
    res = runner.invoke(app, ["mc", "tpp12", "--out", str(blocker), "--draws", "1",
                              "--baseline", BASELINE])
    _assert(res, 2, "not a directory")
    res = runner.invoke(app, ["run", "no_change", "--out", str(blocker / "sub"),
                              "--baseline", BASELINE, "--reporting", "annual"])
    _assert(res, 2, "file")


# ----------------------------------------------------------------------------- stores
def _store(tmp_path, manifest: str | None, part: bytes | None = None) -> Path:
    d = tmp_path / "st"
    (d / "parts").mkdir(parents=True)
    if manifest is not None:
        (d / "manifest.json").write_text(manifest)
    if part is not None:
        (d / "parts" / "part-00000.parquet").write_bytes(part)
    return d


@pytest.mark.parametrize("manifest, part, code, piece", [
    ("[1]", None, 2, "not a results store manifest"),
    ("garbage", None, 2, "unreadable manifest"),
    ('{"format": "tradesim-batch/1"}', None, 2, "plan_id"),
    ('{"format": "other"}', None, 2, "format"),
    (json.dumps({"format": "tradesim-batch/1", "plan_id": "p", "kind": "mc", "runs": 1}),
     os.urandom(500), 0, "left out"),
    (json.dumps({"format": "tradesim-batch/1", "plan_id": "p", "kind": "mc", "runs": 1}),
     b"PAR1" + os.urandom(100) + b"PAR1", 0, "left out"),
])
def test_hostile_stores(tmp_path, manifest, part, code, piece):
    d = _store(tmp_path, manifest, part)
    for cmd in (["results", "summarize", str(d)],
                ["results", "export", str(d), "--out", str(tmp_path / "x.csv")]):
        _assert(runner.invoke(app, cmd), code, piece)


def test_unexpected_error_is_one_line_and_debug_shows_the_traceback(monkeypatch, tmp_path):
    import sim.commands.scenarios as commands

    def boom(*a, **k):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(commands, "check", boom)
    res = runner.invoke(app, ["check", "x.toml"])
    assert res.exit_code == 1
    assert "unexpected error (ZeroDivisionError: boom)" in res.output and "--debug" in res.output
    assert "Traceback" not in res.output
    res = runner.invoke(app, ["--debug", "check", "x.toml"])
    assert isinstance(res.exception, ZeroDivisionError)
    from sim import cli
    cli.DEBUG["on"] = False


def test_app_batch_page_on_a_crafted_store(tmp_path):
    """The Batch page opens a crafted store (SQL in its parameter names, a corrupt part): no
    file is written, the bad part is named, no exception."""
    from streamlit.testing.v1 import AppTest
    from test_security import _crafted_store

    target = tmp_path / "pwned.csv"
    s, _ = _crafted_store(tmp_path, target)
    (s.path / "parts" / "part-00007.parquet").write_bytes(os.urandom(300))
    at = AppTest.from_string("from sim.app.pages.batch import render\nrender()",
                             default_timeout=60).run()
    at.text_input(key="batch_path").set_value(str(s.path)).run()
    assert not at.exception, at.exception
    assert any("part-00007.parquet" in w.value for w in at.warning)
    assert not target.exists()


def test_app_upload_box_with_hostile_files(tmp_path):
    """The Build page's upload: every corpus scenario gets a red box naming the upload (never a
    server path or a foreign file's value) or is accepted; a same-session upload can be
    extended; no exception."""
    from streamlit.testing.v1 import AppTest

    secret = tmp_path / "secrets.toml"
    secret.write_text('OPENAI_API_KEY = "sk-SECRET"\n')
    at = AppTest.from_string("from sim.app.pages.build import upload_box\nupload_box()",
                             default_timeout=60).run()
    assert not at.exception

    def upload(name, data):
        at.file_uploader(key="bld_upload").set_value((name, data, "application/toml")).run()
        assert not at.exception, at.exception
        errors = " ".join(e.value for e in at.error)
        ok = " ".join(s.value for s in at.success)
        assert "sk-SECRET" not in errors and str(tmp_path) not in errors
        return errors, ok

    for name, (code, _) in SCENARIOS.items():
        errors, ok = upload(name, (HOSTILE / name).read_bytes())
        if code:
            assert errors.startswith(f"{name} is not a valid scenario file"), (name, errors)
        else:
            assert "is valid" in ok, (name, ok)
    head = 'start = 2024-01-01\nend = 2026-01-01\ncalibrated_to = "self"\n'
    errors, _ = upload("x.toml", f'extends = "{secret.with_suffix("")}"\nname = "x"\n{head}'
                       .encode())
    assert "must be a scenario name" in errors
    errors, _ = upload("big.toml", b"# " + b"x" * (2 * 1024 * 1024))
    assert "more than the" in errors
    _, ok = upload("my_base.toml", f'name = "my_base"\n{head}'.encode())
    assert "my_base" in ok
    errors, ok = upload("child.toml", b'extends = "my_base"\nname = "child"\n')
    assert "'child' is valid" in ok, errors
