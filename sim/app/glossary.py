"""Plain-language glossary and notes on results that surprise (no Streamlit).

Shown in the sidebar of every page (``app.py``) and on Compare. Each entry says what a term
means in this app; where a figure is involved, the number is the app's own setting or data.
"""

from __future__ import annotations

__all__ = ["GLOSSARY", "REGION_NAMES", "SURPRISES", "glossary_markdown", "region_label"]

GLOSSARY: dict[str, str] = {
    "pp (percentage points)": "The difference between two percentages: 0.30 % against 0.10 % "
                              "is +0.20 pp.",
    "welfare / real income": "What a country's income, including tariff revenue, can buy at "
                             "the new prices; the model's main measure of who gains and loses.",
    "reference": "The scenario every number is compared with (e.g. history without the 2025 "
                 "tariffs). Each card shows scenario minus reference.",
    "baseline": "The world economy in 2022 (OECD ICIO tables), solved by the model; the "
                "starting point of every scenario. The model has no growth.",
    "terms of trade": "The prices a country gets for its exports against the prices it pays "
                      "for imports. A big buyer's tariff can push foreign prices down.",
    "volume of trade": "Gains from trade that happens; a tariff removes some trade that was "
                       "worth more than it cost.",
    "tariff revenue": "Duties the government collects; the model counts them as national "
                      "income.",
    "θ (theta, trade elasticity)": "How strongly buyers switch suppliers when prices change; "
                                   "higher θ means more switching. Set per sector.",
    "λ (lambda, adjustment speed)": "How fast trade adjusts: the share of the gap to the new "
                                    "equilibrium closed per year (0.3 by default).",
    "numeraire": "The model's yardstick for prices: world value added. Prices are relative to "
                 "world incomes, so they are not inflation.",
    "MFN": "Most-favoured-nation tariff: what a country charges WTO members without a trade "
           "agreement.",
    "TRQ": "Tariff-rate quota: a low tariff up to a quantity, a higher one above it (the 2022 "
           "US–Japan steel quota).",
    "safeguard": "A temporary tariff rise when imports pass a trigger (Japan's US-beef "
                 "safeguard, fired in March 2021).",
    "Section 232 / 301 / 122": "US laws behind tariffs: 232 national security (steel, "
                               "aluminium, cars), 301 unfair practices (China), 122 a 150-day "
                               "surcharge for balance-of-payments problems.",
    "IEEPA": "International Emergency Economic Powers Act, the law used for the 2025 "
             "'reciprocal' tariffs.",
    "TPP-12 / CPTPP": "The Trans-Pacific Partnership as signed by 12 countries with the US "
                      "(never in force), and the 11-country agreement without it (in force "
                      "from 2018-12-30).",
    "USJTA": "The 2019 US–Japan Trade Agreement (in force 2020-01-01).",
    "retaliation": "A partner's tariff answer to a US increase (a hypothetical rule in this "
                   "app unless a scenario says otherwise).",
    "ROW": "Rest of the world: every economy the baseline does not hold separately (India, "
           "Brazil, the UK ...).",
    "cumulative": "The yearly differences added up over the years chosen (2022 values).",
}

REGION_NAMES: dict[str, str] = {
    "USA": "United States", "JPN": "Japan", "CHN": "China", "CAN": "Canada", "MEX": "Mexico",
    "EU": "European Union", "KOR": "Korea", "AUS": "Australia", "VNM": "Viet Nam",
    "MYS": "Malaysia", "SGP": "Singapore", "NZL": "New Zealand", "CHL": "Chile", "PER": "Peru",
    "BRN": "Brunei", "ROW": "rest of the world", "GBR": "United Kingdom"}

SURPRISES: dict[str, str] = {
    "US welfare dips in 2019 under TPP-12": "At entry into force the US cuts its own tariffs at "
        "once, so it loses tariff revenue (about $4 bn a year) immediately, while the extra "
        "exports build up slowly (trade adjusts by λ = 0.3 a year). The gain comes later.",
    "Mexico and Malaysia lose when the US joins TPP": "Preference erosion: Mexico already "
        "sells to the US duty free (NAFTA/USMCA), and Malaysia competes with Viet Nam; TPP "
        "gives their competitors the same access, so their margin shrinks.",
    "Japan's consumer prices fall under the 2025 tariffs": "Prices are measured against world "
        "incomes (the numeraire). Japan's wages fall relative to the world when its exports "
        "to the US drop, so its prices fall in that yardstick; this is not deflation.",
    "θ = 21 for mining & energy": "Oil, gas and ores are near-identical whoever sells them, so "
        "buyers switch suppliers at small price differences. The value is Caliendo–Parro "
        "(2015)'s, weighted over mining and petroleum (petroleum alone is about 65); see "
        "docs/data.md.",
    "The US gains from its own 2025 tariffs": "Without retaliation a large buyer's tariff "
        "lowers the prices foreign sellers get (terms of trade) and raises revenue; the model "
        "counts both as US income. With retaliation the gain shrinks or turns into a loss. "
        "Studies reporting GDP or household costs measure other things (see Validation).",
}


def region_label(code: str) -> str:
    """``"CHN (China)"``: a region code with its name."""
    return f"{code} ({REGION_NAMES[code]})" if code in REGION_NAMES else code


def glossary_markdown() -> str:
    """The glossary as a Markdown list."""
    return "\n".join(f"- **{k}**: {v}" for k, v in GLOSSARY.items())
