"""A scenario, compiled once: :func:`compile_scenario` -> one frozen :class:`CompiledScenario`.

A scenario given as a file, a library name, a dict, a loaded :class:`Scenario` or a bare
:class:`ScenarioSpec` is read and validated (``extends`` resolved, :mod:`sim.scenario.loader`),
its events and agreements become the policy objects of :mod:`sim.policy` and the rules of
:mod:`sim.timeline.rules`, and the scenario it is calibrated to (``calibrated_to``) is resolved
and compiled, all once. Everything downstream (``sim.run``, the batch engine, the app) takes the
compiled object and never compiles again.

The **content hash** names what a run depends on: the validated spec of the scenario and of its
calibration, written as canonical JSON (keys sorted, so the order of keys in a file or dict does
not matter; the order of events does, it breaks ties), hashed with SHA-256::

    content_hash = sha256(spec_hash(scenario) + ":" + spec_hash(calibration or "self"))

Equal content gives equal hashes in every process; caches of runs and policy paths key on it.
The spec -> policy step is itself kept per spec hash (:data:`CACHE_SIZE` entries, least recently
used first out): a Monte Carlo that realises the same scenario in many draws compiles it once.
Each event kind compiles itself (``compile`` on its class in :mod:`sim.scenario.models`).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sim.policy.channels import IMMEDIATE, GoodsNonTariff, Param, PhaseIn, ServicesCut
from sim.policy.model import Agreement, Concession, Measure, Member, Policy
from sim.scenario import models as M
from sim.scenario.loader import (
    CLI,
    Scenario,
    ScenarioError,
    Sources,
    find_reference,
    load_calibration,
    load_scenario,
)
from sim.timeline.rules import RetaliationRule, SafeguardRule

__all__ = ["CACHE_SIZE", "CompiledScenario", "PolicyDraft", "compile_policy", "compile_scenario",
           "goods_channel", "services_channel", "spec_hash"]

CACHE_SIZE = 64
_POLICIES: OrderedDict[str, tuple[Policy, tuple[SafeguardRule, ...],
                                  tuple[RetaliationRule, ...]]] = OrderedDict()
_CALIBRATIONS: OrderedDict[str, CompiledScenario] = OrderedDict()
_LOCK = threading.Lock()          # the app compiles from several sessions' threads


@dataclass
class PolicyDraft:
    """What the events add while a scenario is compiled (each event's ``compile`` appends)."""

    measures: list[Measure] = field(default_factory=list)
    safeguards: list[SafeguardRule] = field(default_factory=list)
    retaliations: list[RetaliationRule] = field(default_factory=list)
    #: agreement -> (region, entry into force) of members who join or whose date moves
    joins: dict[str, list[tuple[str, date]]] = field(default_factory=dict)
    #: agreement -> (region, withdrawal date)
    withdrawals: dict[str, list[tuple[str, date]]] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class CompiledScenario:
    """A validated scenario, where it came from, its policy, its rules and its calibration's
    policy: everything a run needs from the scenario layer. Equal when the content hashes
    are."""

    name: str
    policy: Policy
    safeguards: tuple[SafeguardRule, ...]
    retaliations: tuple[RetaliationRule, ...]
    #: the validated scenario (``extends`` resolved) and its source: path and extends chain
    scenario: Scenario
    #: the calibration scenario's compiled policy; None when calibrated to itself
    calibration: Policy | None
    #: the calibration as named to the user (``scenarios/historical.toml``; ``self``)
    calibration_label: str
    spec_hash: str
    content_hash: str

    @property
    def spec(self) -> M.ScenarioSpec:
        return self.scenario.spec

    @property
    def path(self) -> Path | None:
        """The file it was read from (None for a dict, an upload or a bare spec)."""
        return self.scenario.path

    @property
    def label(self) -> str:
        """How messages name it: the file (library files as ``scenarios/NAME.toml``) or the
        scenario's name."""
        return str(self.scenario.chain[0]) if self.scenario.chain else self.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CompiledScenario) and other.content_hash == self.content_hash

    def __hash__(self) -> int:
        return hash(self.content_hash)


def spec_hash(spec: M.ScenarioSpec) -> str:
    """SHA-256 of the spec's canonical JSON (sorted keys, no spaces): same content, same hash."""
    text = json.dumps(spec.model_dump(mode="json"), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ----------------------------------------------------------------------------- agreements
def _md(text: str) -> tuple[int, int]:
    m, d = text.split("-")
    return int(m), int(d)


def _t(v: list[str] | None) -> tuple[str, ...] | None:
    return None if v is None else tuple(v)


def _param(e: M.Estimate, value: float | None = None, std_error: float | None = None,
           source: str | None = None) -> Param:
    lo, hi = e.range if e.range is not None else (None, None)
    return Param(e.value if value is None else value,
                 e.std_error if std_error is None else std_error, lo, hi,
                 M.cited(e.source if source is None else source, e.verified))


def _phase(p: M.PhaseInSpec | None) -> PhaseIn:
    if p is None:
        return IMMEDIATE
    return PhaseIn(tuple(p.years), tuple(p.shares), M.cited(p.source, p.verified))


def goods_channel(g: M.GoodsNonTariffSpec) -> GoodsNonTariff:
    """The goods non-tariff channel of an agreement (an effect file read here)."""
    beta, phase = None, IMMEDIATE
    if g.effect is not None:
        from sim.estimate.effects import load_agreement_effect

        eff = load_agreement_effect(g.effect)
        beta = Param(eff.total, eff.std_error, source=f"{eff.name}: {eff.description}; "
                     f"{eff.source}")
        phase = PhaseIn(tuple(float(h) for h in eff.horizons), tuple(eff.share_of_total),
                        f"{eff.name}: lag profile of the estimate")
    elif g.beta is not None:
        beta = _param(g.beta)
    if not isinstance(g.phase_in, str):
        phase = _phase(g.phase_in)
    return GoodsNonTariff(
        beta=beta, cut=None if g.cut is None else _param(g.cut),
        correction=_param(g.tariff_correction), prior_scale=_param(g.prior_agreement_scale),
        spillover=_param(g.spillover), phase_in=phase, effect=g.effect or "",
        source=M.cited(g.source, g.verified))


def services_channel(s: M.ServicesSpec) -> ServicesCut:
    return ServicesCut(_param(s.cut), s.scope, _phase(s.phase_in), M.cited(s.source, s.verified))


def _agreement(a: M.AgreementSpec, draft: PolicyDraft) -> Agreement:
    """An agreement with the members the events add (joins first, then withdrawals)."""
    members = {m.region: Member(m.region, m.eif, m.withdrawn) for m in a.members}
    for region, eif in draft.joins.get(a.name, []):
        old = members.get(region)
        members[region] = Member(region, eif, old.withdrawn if old else None)
    for region, when in draft.withdrawals.get(a.name, []):
        old = members.get(region)
        if old is not None:
            members[region] = Member(region, old.eif, when)
    return Agreement(
        name=a.name, members=tuple(members.values()),
        concessions=tuple(Concession(
            importers=tuple(c.importers), staging=c.staging.to_staging(),
            exporters=_t(c.exporters), sectors=_t(c.sectors), lines=_t(c.lines),
            base=c.base, coverage=c.coverage, note=c.note) for c in a.concessions),
        cut_month_day=tuple((k, _md(v)) for k, v in a.cut_dates.items() if k != "default"),
        default_cut_month_day=_md(a.cut_dates.get("default", "01-01")),
        clock_start=a.clock_start, source=a.cited(),
        goods_nontariff=(goods_channel(a.goods_nontariff)
                         if a.goods_nontariff is not None and a.goods_nontariff.on else None),
        services=(services_channel(a.services)
                  if a.services is not None and a.services.on else None))


def compile_policy(spec: M.ScenarioSpec) -> tuple[Policy, tuple[SafeguardRule, ...],
                                                  tuple[RetaliationRule, ...]]:
    """The policy objects and timeline rules of a validated spec (every event compiles
    itself: ``compile`` on its class)."""
    draft = PolicyDraft()
    for k, e in enumerate(spec.events):
        e.compile(draft, k)
    agreements = tuple(_agreement(a, draft) for a in spec.agreements)
    return (Policy(agreements, tuple(draft.measures), spec.name), tuple(draft.safeguards),
            tuple(draft.retaliations))


def _policy(spec: M.ScenarioSpec, key: str) -> tuple[Policy, tuple[SafeguardRule, ...],
                                                     tuple[RetaliationRule, ...]]:
    """:func:`compile_policy`, once per spec hash (the objects are frozen: shared safely)."""
    with _LOCK:
        hit = _POLICIES.get(key)
        if hit is not None:
            _POLICIES.move_to_end(key)
            return hit
    hit = compile_policy(spec)
    with _LOCK:
        _POLICIES[key] = hit
        while len(_POLICIES) > CACHE_SIZE:
            _POLICIES.popitem(last=False)
    return hit


# ----------------------------------------------------------------------------- scenarios
def _scenario(source: Any, sources: Sources) -> Scenario:
    if isinstance(source, Scenario):
        return source
    if isinstance(source, M.ScenarioSpec):
        return Scenario(source, None)
    if isinstance(source, str | Path | dict):
        return load_scenario(source, sources=sources)
    raise ScenarioError([f"scenario must be a Scenario, a path, a library name or a dict, "
                         f"got {type(source).__name__}"])


def _same_file(a: Path | None, ident: str) -> bool:
    return a is not None and not ident.startswith("upload:") and a.resolve() == Path(ident)


def _calibration(scn: Scenario, calibration: Any, known: Iterable[CompiledScenario]
                 ) -> tuple[Policy | None, str, str]:
    """``(policy, label, spec hash)`` of the scenario's calibration, resolved once."""
    spec = scn.spec
    if spec.calibrated_to in ("self", spec.name):
        return None, "self", "self"
    if isinstance(calibration, CompiledScenario):
        return calibration.policy, calibration.label, calibration.spec_hash
    if isinstance(calibration, dict):          # batch plans carry it as a dict: keep per content
        key = hashlib.sha256(json.dumps(calibration, sort_keys=True, default=str)
                             .encode("utf-8")).hexdigest()
        with _LOCK:
            hit = _CALIBRATIONS.get(key)
        if hit is None:
            hit = compile_scenario(calibration, calibration="self")
            with _LOCK:
                _CALIBRATIONS[key] = hit
                while len(_CALIBRATIONS) > CACHE_SIZE:
                    _CALIBRATIONS.popitem(last=False)
        return hit.policy, hit.label, hit.spec_hash
    if calibration is not None:
        cal = _scenario(calibration, scn.sources)
    else:
        near = scn.path.resolve() if scn.path is not None else None
        known = [k for k in known if k.name == spec.calibrated_to]
        if known:                               # a scenario compiled already (the reference)
            try:
                ident = find_reference(spec.calibrated_to, near, scn.sources, uploads=False)[0]
            except (ValueError, LookupError):
                ident = ""
            for k in known:
                if _same_file(k.path, ident):
                    return k.policy, k.label, k.spec_hash
        found = load_calibration(scn)
        assert found is not None
        cal = found
    key = spec_hash(cal.spec)
    label = str(cal.chain[0]) if cal.chain else cal.name
    return _policy(cal.spec, key)[0], label, key


def compile_scenario(source: Any, *, calibration: Any = None, sources: Sources = CLI,
                     known: Iterable[CompiledScenario] = ()) -> CompiledScenario:
    """Read, validate and compile a scenario once, its calibration with it.

    ``source``: a :class:`CompiledScenario` (returned as it is), a :class:`Scenario`, a
    :class:`ScenarioSpec`, a path, a library name or a dict. ``calibration``: the calibration
    scenario when it is not to be looked up by name (batch workers receive it with the plan; a
    compiled scenario, a Scenario, a spec or a dict; ``"self"`` skips the lookup: the result
    then serves only as another scenario's calibration). ``known``: scenarios compiled already
    (a run's reference); one read from the same file as the calibration is reused.
    """
    if isinstance(source, CompiledScenario) and calibration is None:
        return source
    if isinstance(source, CompiledScenario):
        source = source.scenario
    scn = _scenario(source, sources)
    key = spec_hash(scn.spec)
    policy, safeguards, retaliations = _policy(scn.spec, key)
    if isinstance(calibration, str) and calibration == "self":
        cal, cal_label, cal_key = None, "self", "self"
    else:
        cal, cal_label, cal_key = _calibration(scn, calibration, known)
    content = hashlib.sha256(f"{key}:{cal_key}".encode()).hexdigest()
    return CompiledScenario(scn.spec.name, policy, safeguards, retaliations, scn, cal,
                            cal_label, key, content)
