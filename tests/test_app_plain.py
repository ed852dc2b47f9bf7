"""Plain words: a glossary on every page, the surprising results explained, region names
beside codes (issue 13)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from sim.app.glossary import GLOSSARY, SURPRISES, region_label

ROOT = Path(__file__).resolve().parents[1]


def test_glossary_covers_the_terms_users_asked_about():
    text = " ".join(GLOSSARY)
    for term in ("pp", "θ", "λ", "numeraire", "MFN", "TRQ", "IEEPA", "ROW"):
        assert term in text, term
    assert region_label("CHN") == "CHN (China)" and region_label("XYZ") == "XYZ"


def test_app_shows_glossary_and_surprises():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240).run()
    assert not at.exception, at.exception
    assert any(e.label.startswith("Glossary") for e in at.sidebar.expander)
    md = " ".join(m.value for m in at.markdown)
    assert "numeraire" in md
    for k in SURPRISES:
        assert k in md, k
    region = at.selectbox(key="cmp_region")
    assert region.format_func("USA") == "USA (United States)"
