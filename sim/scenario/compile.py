"""Validated scenario -> policy objects (:mod:`sim.policy`) and timeline rules."""

from __future__ import annotations

from dataclasses import dataclass

from sim.policy.channels import IMMEDIATE, GoodsNonTariff, Param, PhaseIn, ServicesCut
from sim.policy.model import Agreement, Concession, Measure, Member, Policy, Scope
from sim.policy.staging import Equal, Free, Keep, Path, Stages
from sim.scenario import models as M
from sim.timeline.rules import GrowthTest, RetaliationRule, SafeguardRule, VolumeTest

__all__ = ["CompiledScenario", "compile_scenario", "goods_channel", "services_channel"]


@dataclass(frozen=True)
class CompiledScenario:
    name: str
    policy: Policy
    safeguards: tuple[SafeguardRule, ...]
    retaliations: tuple[RetaliationRule, ...]


def _md(text: str) -> tuple[int, int]:
    m, d = text.split("-")
    return int(m), int(d)


def _staging(s):
    if isinstance(s, M.FreeStaging):
        return Free()
    if isinstance(s, M.KeepStaging):
        return Keep()
    if isinstance(s, M.EqualStaging):
        return Equal(s.n, s.final)
    if isinstance(s, M.StagesStaging):
        return Stages(tuple(s.rates) if s.rates is not None else None,
                      tuple(s.fractions) if s.fractions is not None else None)
    return Path(tuple((p.date, p.rate) for p in s.points))


def _t(v: list[str] | None) -> tuple[str, ...] | None:
    return None if v is None else tuple(v)


def _mark(source: str, verified: bool) -> str:
    return source if verified else f"{source} (unverified)"


def _param(e: M.Estimate, value: float | None = None, std_error: float | None = None,
           source: str | None = None) -> Param:
    lo, hi = e.range if e.range is not None else (None, None)
    return Param(e.value if value is None else value,
                 e.std_error if std_error is None else std_error, lo, hi,
                 _mark(e.source if source is None else source, e.verified))


def _phase(p: M.PhaseInSpec | None) -> PhaseIn:
    if p is None:
        return IMMEDIATE
    return PhaseIn(tuple(p.years), tuple(p.shares), _mark(p.source, p.verified))


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
        source=_mark(g.source, g.verified))


def services_channel(s: M.ServicesSpec) -> ServicesCut:
    return ServicesCut(_param(s.cut), s.scope, _phase(s.phase_in), _mark(s.source, s.verified))


def compile_scenario(spec: M.ScenarioSpec) -> CompiledScenario:
    """Policy objects and rules of a validated scenario."""
    joins: dict[str, list[M.JoinEvent]] = {}
    withdrawals: dict[str, list[M.WithdrawEvent]] = {}
    measures: list[Measure] = []
    safeguards: list[SafeguardRule] = []
    retaliations: list[RetaliationRule] = []
    for k, e in enumerate(spec.events):
        if isinstance(e, M.JoinEvent):
            joins.setdefault(e.agreement, []).append(e)
        elif isinstance(e, M.WithdrawEvent):
            withdrawals.setdefault(e.agreement, []).append(e)
        elif isinstance(e, M.MeasureEvent):
            measures.append(Measure(
                name=e.name, rate=e.rate, stacking=e.stacking,
                scope=Scope(importers=tuple(e.importers or [e.actor]),
                            exporters=_t(e.exporters), sectors=_t(e.sectors),
                            lines=_t(e.lines), exclude_exporters=tuple(e.exclude_exporters),
                            exclude_sectors=tuple(e.exclude_sectors),
                            exclude_lines=tuple(e.exclude_lines), coverage=e.coverage),
                effective=e.effective, until=e.until, announced=e.announced,
                paused=tuple((p.start, p.until) for p in e.paused),
                retroactive_to=e.retroactive_to, actor=e.actor, replaces=tuple(e.replaces),
                source=_mark(e.source, e.verified), note=e.note, order=k))
        elif isinstance(e, M.SafeguardEvent):
            tests = []
            for t in e.triggers:
                if isinstance(t, M.VolumeTrigger):
                    tests.append(VolumeTest(tuple(t.lines), tuple(sorted(
                        (int(y), v) for y, v in t.thresholds.items()))))
                else:
                    tests.append(GrowthTest(tuple(t.lines), t.until_year))
            safeguards.append(SafeguardRule(
                name=e.name, actor=e.actor, lines=tuple(e.lines), tests=tuple(tests),
                rate=e.rate, stacking=e.stacking, quota_year_start=_md(e.quota_year_start),
                active_from=e.active_from, active_until=e.active_until, lag_days=e.lag_days,
                duration_days=e.duration_days, until_quota_year_end=e.until_quota_year_end,
                observed=tuple((o.line or e.lines[0], o.date, o.cumulative)
                               for o in e.observed),
                source=_mark(e.source, e.verified), kind=e.kind))
        elif isinstance(e, M.RetaliationEvent):
            retaliations.append(RetaliationRule(
                name=e.name, actor=e.actor, against=e.against, mode=e.mode, factor=e.factor,
                cap=e.cap, sectors=_t(e.sectors), lag_days=e.lag_days, threshold=e.threshold,
                active_from=e.active_from, active_until=e.active_until,
                source=_mark(e.source, e.verified)))
    agreements = []
    for a in spec.agreements:
        members = {m.region: Member(m.region, m.eif, m.withdrawn) for m in a.members}
        for j in joins.get(a.name, []):
            old = members.get(j.region)
            members[j.region] = Member(j.region, j.eif, old.withdrawn if old else None)
        for w in withdrawals.get(a.name, []):
            old = members.get(w.region)
            if old is not None:
                members[w.region] = Member(w.region, old.eif, w.date)
        default = _md(a.cut_dates.get("default", "01-01"))
        agreements.append(Agreement(
            name=a.name, members=tuple(members.values()),
            concessions=tuple(Concession(
                importers=tuple(c.importers), staging=_staging(c.staging),
                exporters=_t(c.exporters), sectors=_t(c.sectors), lines=_t(c.lines),
                base=c.base, coverage=c.coverage, note=c.note) for c in a.concessions),
            cut_month_day=tuple((k, _md(v)) for k, v in a.cut_dates.items() if k != "default"),
            default_cut_month_day=default, clock_start=a.clock_start,
            source=_mark(a.source, a.verified),
            goods_nontariff=(goods_channel(a.goods_nontariff)
                             if a.goods_nontariff is not None and a.goods_nontariff.on
                             else None),
            services=(services_channel(a.services)
                      if a.services is not None and a.services.on else None)))
    return CompiledScenario(spec.name, Policy(tuple(agreements), tuple(measures), spec.name),
                            tuple(safeguards), tuple(retaliations))
