"""The tiers' rules as one jurisdiction has them, and the checks a move between tiers must pass.

A jurisdiction keeps its own rows (EntryRule, PromotionGate, set on the rules page); where it has none the
DEFAULTS below apply. They follow common county practice (docs/architecture.md, reserve/): a project enters the
five-year reserve (储备库) with a proposal, the three-year rolling tier (滚动库) once its approval or filing
(立项审批备案) is done, and this year's implementation tier (实施库) once the pre-construction approvals (land,
planning permit, environmental assessment) are done as well. The check reads only `Rules`: changing a rule is
a change of data, never of code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from guatu.lib.money import round_half_up
from guatu.projects.models import Category, MilestoneKind, Tier

# From the bottom of the library to the top.
TIER_ORDER = [Tier.RESERVE, Tier.ROLLING, Tier.IMPLEMENTATION]

DEFAULT_MIN_INVESTMENT = {  # 万元, per category, the same for every tier unless a jurisdiction says otherwise
    Category.INDUSTRY: Decimal("2000.00"),
    Category.INFRASTRUCTURE: Decimal("1000.00"),
    Category.LIVELIHOOD: Decimal("500.00"),
    Category.ECOLOGY: Decimal("500.00"),
}
DEFAULT_REQUIRED_KINDS = {  # documents a project must have (as milestones, done or planned) to be in the tier
    Tier.RESERVE: [],
    Tier.ROLLING: [MilestoneKind.APPROVAL],
    Tier.IMPLEMENTATION: [MilestoneKind.APPROVAL, MilestoneKind.LAND, MilestoneKind.PLANNING, MilestoneKind.ENVIRONMENT],
}
DEFAULT_GATES = {  # milestones done before moving up into the tier
    Tier.RESERVE: [],
    Tier.ROLLING: [MilestoneKind.APPROVAL],
    Tier.IMPLEMENTATION: [MilestoneKind.APPROVAL, MilestoneKind.LAND, MilestoneKind.PLANNING, MilestoneKind.ENVIRONMENT],
}


@dataclass(frozen=True)
class Entry:
    min_investment: Decimal
    required_kinds: tuple[str, ...]
    version: int = 0  # 0: the default, no row yet


@dataclass(frozen=True)
class Rules:
    """A jurisdiction's entry criteria per (tier, category) and promotion gates per tier."""

    entry: dict[tuple[str, str], Entry]
    gates: dict[str, tuple[str, ...]]
    gate_versions: dict[str, int]

    def gate_kinds_up_to(self, current: str, target: str) -> list[str]:
        """The milestones to be done to move from `current` up to `target`: every gate passed on the way."""
        kinds = []
        for tier in TIER_ORDER[TIER_ORDER.index(current) + 1 : TIER_ORDER.index(target) + 1]:
            kinds += [kind for kind in self.gates[tier] if kind not in kinds]
        return kinds


def default_rules() -> Rules:
    return Rules(
        entry={
            (tier, category): Entry(DEFAULT_MIN_INVESTMENT[category], tuple(DEFAULT_REQUIRED_KINDS[tier]))
            for tier in TIER_ORDER
            for category in Category.values
        },
        gates={tier: tuple(DEFAULT_GATES[tier]) for tier in TIER_ORDER},
        gate_versions=dict.fromkeys(TIER_ORDER, 0),
    )


def rules_of(jurisdiction) -> Rules:
    """The jurisdiction's rules: its rows over the defaults (two queries)."""
    from guatu.reserve.models import EntryRule, PromotionGate

    rules = default_rules()
    entry, gates, versions = dict(rules.entry), dict(rules.gates), dict(rules.gate_versions)
    for row in EntryRule.objects.filter(jurisdiction=jurisdiction):
        entry[(row.tier, row.category)] = Entry(row.min_investment, tuple(row.required_kinds), row.version)
    for row in PromotionGate.objects.filter(jurisdiction=jurisdiction):
        gates[row.tier], versions[row.tier] = tuple(row.gate_kinds), row.version
    return Rules(entry=entry, gates=gates, gate_versions=versions)


def kinds_text(kinds: Iterable[str]) -> str:
    """Milestone kinds by their Chinese names: 立项审批备案、用地."""
    return "、".join(str(MilestoneKind(kind).label) for kind in kinds) or "—"


def is_up(current: str, target: str) -> bool:
    return TIER_ORDER.index(target) > TIER_ORDER.index(current)


def missing_gates(rules: Rules, *, current: str, target: str, done_kinds: set[str]) -> list[str]:
    return [kind for kind in rules.gate_kinds_up_to(current, target) if kind not in done_kinds]


def refusals(
    rules: Rules,
    *,
    current: str,
    target: str,
    category: str,
    total_investment: Decimal,
    kinds: set[str],
    done_kinds: set[str],
) -> list[str]:
    """Why a project may not move from `current` up to `target`, in Chinese, one line per reason (none: it may).
    A move down needs no more than a reason, so nothing refuses it here."""
    if not is_up(current, target):
        return []
    found = []
    tier_label = Tier(target).label
    missing = missing_gates(rules, current=current, target=target, done_kinds=done_kinds)
    if missing:
        found.append(
            _("Before moving up into the %(tier)s these milestones must be done (with an actual date): %(kinds)s.")
            % {"tier": tier_label, "kinds": kinds_text(missing)}
        )
    found += entry_refusals(
        rules, tier=target, category=category, total_investment=total_investment, kinds=kinds
    ).values()
    return found


def entry_refusals(
    rules: Rules, *, tier: str, category: str, total_investment: Decimal, kinds: set[str]
) -> dict[str, str]:
    """Why a project does not meet a tier's entry criteria, in Chinese, by what falls short: "total_investment"
    (the minimum for its category) and "milestones" (the documents it must have as milestones); empty: it does.
    Checked on the way up and when a new project enters the reserve."""
    found = {}
    tier_label = Tier(tier).label
    entry = rules.entry[(tier, category)]
    if total_investment < entry.min_investment:
        found["total_investment"] = (
            _(
                "The %(tier)s takes %(category)s projects of at least %(min)s (10k yuan); this one's total "
                "investment is %(total)s."
            )
            % {
                "tier": tier_label,
                "category": Category(category).label,
                "min": round_half_up(entry.min_investment, 2),
                "total": round_half_up(total_investment, 2),
            }
        )
    absent = [kind for kind in entry.required_kinds if kind not in kinds]
    if absent:
        found["milestones"] = _("The %(tier)s requires these documents on the project (as milestones): %(kinds)s.") % {
            "tier": tier_label,
            "kinds": kinds_text(absent),
        }
    return found
