"""Build hook for one thing pyproject.toml cannot say: ship the scenario library.

The library lives at the top of the repository (``scenarios/*.toml``), where users and the
docs expect it. In a built wheel it is the package data of ``sim.scenarios`` (so an installed
copy has it at ``site-packages/sim/scenarios/``); ``sim.scenario.loader.LIBRARY`` finds it
there, and falls back to ``scenarios/`` next to ``sim/`` in the source tree and an editable
install. Everything else about the build is in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["sim", "sim.*"]), "sim.scenarios"],
    package_dir={"sim.scenarios": "scenarios"},
)
