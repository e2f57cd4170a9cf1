"""Tier rule sets: read, validate and write ``data/tier_rules.toml``.

Rules are data. :func:`load_rules` turns the TOML file into a frozen
:class:`TierRules`, which every analytics function receives as a parameter; nothing
reads the file from a global. Validation errors name the offending key and value.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import tomli_w

from analytics.errors import RulesError
from analytics.store import PROJECT_DIR

DEFAULT_RULES_PATH = PROJECT_DIR / "data" / "tier_rules.toml"

RETAIL_TIERS = ("mass", "emerging", "affluent", "hnw", "private")
CORPORATE_LOAN_TIERS = (
    "strategic",
    "large",
    "medium",
    "small",
    "emerging_market",
    "real_estate",
    "institution",
)
NO_LOAN_TIERS = ("above_scale", "below_scale", "institution_no_loan")
#: Every tier id, in the one order used by every table and chart.
TIER_ORDER = RETAIL_TIERS + CORPORATE_LOAN_TIERS + NO_LOAN_TIERS
#: Retail tiers that have a lower bound in the rules (all but ``mass``).
RETAIL_BOUNDED = RETAIL_TIERS[1:]


@dataclass(frozen=True)
class RetailRules:
    """Lower bounds (CNY of financial assets) of the retail tiers above ``mass``."""

    emerging: float
    affluent: float
    hnw: float
    private: float

    def bounds(self) -> tuple[tuple[str, float], ...]:
        """``(tier, lower bound)`` pairs from ``emerging`` to ``private``."""
        return tuple((tier, getattr(self, tier)) for tier in RETAIL_BOUNDED)


@dataclass(frozen=True)
class CorporateRules:
    """Tiering of traditional companies with loans."""

    large_annual_sales: float
    small_annual_sales_below: float
    small_total_assets_below: float
    large_annual_sales_by_industry: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def large_threshold(self, industry: str | None) -> float:
        """The large-company sales threshold for an industry."""
        return self.large_annual_sales_by_industry.get(industry, self.large_annual_sales)


@dataclass(frozen=True)
class NoLoanRules:
    """Tiering of companies without loans."""

    above_scale_deposit_avg_daily: float


@dataclass(frozen=True)
class ExistingMatrixRules:
    """Existing-customer matrix: cut points and the bank-value composite weights."""

    profit_cut: float | None  # None = median of the scoped population
    value_cut: float | None
    bank_value_weights: MappingProxyType


@dataclass(frozen=True)
class TargetMatrixRules:
    """Target-customer matrix: cut points and potential-value weights."""

    potential_cut: float | None
    fit_cut: float | None
    potential_weights: MappingProxyType


@dataclass(frozen=True)
class ServiceStandards:
    """Service standards per retail tier (seed 002)."""

    contact_tiers: tuple[str, ...]
    contacts_per_month: int
    event_tiers: tuple[str, ...]
    events_per_year: int
    private_events_per_year: int
    private_senior_visits_per_year: int
    product_tiers: tuple[str, ...]
    min_product_types: int
    key_product_tiers: tuple[str, ...]
    key_products: tuple[str, ...]
    key_product_share: float
    profile_coverage: MappingProxyType  # tier -> share required of that tier and above


@dataclass(frozen=True)
class TierRules:
    """A complete, validated rule set.

    Attributes
    ----------
    version : int
        Version number of the rule set (the tuner writes new versions).
    name : str
        A human name for the rule set.
    source : str
        Where the rules were read from (a path, or ``"<dict>"``).
    """

    version: int
    name: str
    retail: RetailRules
    corporate: CorporateRules
    no_loan: NoLoanRules
    existing: ExistingMatrixRules
    target: TargetMatrixRules
    standards: ServiceStandards
    source: str = "<dict>"

    @property
    def fingerprint(self) -> str:
        """A short hash of the rule values (not the source), for cache keys."""
        return hashlib.sha256(dump_rules(self).encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        """The rules as the nested dict of the TOML file."""
        return _to_dict(self)

    def with_values(self, assignments: dict[str, float]) -> TierRules:
        """A copy with some numbers changed, e.g. ``{"retail.private": 3_000_000}``.

        Keys are dotted TOML paths; the result is validated like a file.
        """
        data = self.to_dict()
        for key, value in assignments.items():
            parts = key.split(".")
            node = data
            for part in parts[:-1]:
                if not isinstance(node.get(part), dict):
                    raise RulesError(f"unknown rule '{key}'")
                node = node[part]
            if parts[-1] not in node and not key.startswith("corporate.large_annual_sales_by_industry."):
                raise RulesError(f"unknown rule '{key}'")
            node[parts[-1]] = value
        return rules_from_dict(data, source=f"{self.source} (modified)")


def _cut(value: Any, key: str, *, signed: bool = False) -> float | None:
    if value == "median":
        return None
    if signed:  # a profit cut point may be a loss
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise RulesError(f'{key} = {value!r} must be a number or "median"')
        return float(value)
    return _number(value, key)


def _number(value: Any, key: str, *, positive: bool = False, share: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RulesError(f"{key} = {value!r} must be a number")
    if positive and value <= 0:
        raise RulesError(f"{key} = {value!r} must be positive")
    if value < 0:
        raise RulesError(f"{key} = {value!r} must not be negative")
    if share and value > 1:
        raise RulesError(f"{key} = {value!r} must be a share between 0 and 1")
    return float(value)


def _count(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RulesError(f"{key} = {value!r} must be a whole number, 0 or more")
    return value


def _tiers(value: Any, key: str, allowed: tuple[str, ...] = RETAIL_TIERS) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RulesError(f"{key} = {value!r} must be a list of tier ids")
    for v in value:
        if v not in allowed:
            raise RulesError(f"{key}: unknown tier id '{v}' (known: {', '.join(allowed)})")
    return tuple(value)


def _section(data: dict, key: str) -> dict:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise RulesError(f"missing section [{key}]")
        node = node[part]
    if not isinstance(node, dict):
        raise RulesError(f"[{key}] must be a table")
    return node


def _weights(raw: dict, key: str, names: tuple[str, ...]) -> MappingProxyType:
    unknown = set(raw) - set(names)
    if unknown:
        raise RulesError(f"[{key}]: unknown weight '{sorted(unknown)[0]}' (known: {', '.join(names)})")
    missing = [n for n in names if n not in raw]
    if missing:
        raise RulesError(f"[{key}]: missing weight '{missing[0]}'")
    weights = {n: _number(raw[n], f"{key}.{n}", share=True) for n in names}
    total = sum(weights.values())
    if abs(total - 1.0) > 1e-6:
        raise RulesError(f"[{key}]: weights sum to {total:g}, they must sum to 1")
    return MappingProxyType(weights)


def rules_from_dict(data: dict[str, Any], *, source: str = "<dict>") -> TierRules:
    """Build and validate a rule set from the nested dict of a TOML file.

    Raises
    ------
    RulesError
        With a message naming the bad key and value.
    """
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise RulesError(f"version = {version!r} must be a whole number from 1")
    name = data.get("name", f"Rules v{version}")

    r = _section(data, "retail")
    unknown = set(r) - set(RETAIL_BOUNDED)
    if unknown:
        raise RulesError(f"retail.{sorted(unknown)[0]}: unknown tier id (known: {', '.join(RETAIL_BOUNDED)})")
    for tier in RETAIL_BOUNDED:
        if tier not in r:
            raise RulesError(f"retail.{tier} is missing")
    values = [_number(r[t], f"retail.{t}", positive=True) for t in RETAIL_BOUNDED]
    for (lo_tier, lo), (hi_tier, hi) in zip(
        zip(RETAIL_BOUNDED, values, strict=True),
        zip(RETAIL_BOUNDED[1:], values[1:], strict=True),
        strict=False,
    ):
        if hi <= lo:
            raise RulesError(
                f"retail.{hi_tier} = {hi:,.0f} must be greater than retail.{lo_tier} = {lo:,.0f} "
                "(thresholds ascend from emerging to private)"
            )
    retail = RetailRules(*values)

    c = _section(data, "corporate")
    by_industry_raw = c.get("large_annual_sales_by_industry", {})
    if not isinstance(by_industry_raw, dict):
        raise RulesError("[corporate.large_annual_sales_by_industry] must be a table of industry = threshold")
    by_industry = {
        str(k): _number(v, f"corporate.large_annual_sales_by_industry.{k}", positive=True)
        for k, v in by_industry_raw.items()
    }
    corporate = CorporateRules(
        large_annual_sales=_number(
            c.get("large_annual_sales"), "corporate.large_annual_sales", positive=True
        ),
        small_annual_sales_below=_number(
            c.get("small_annual_sales_below"), "corporate.small_annual_sales_below", positive=True
        ),
        small_total_assets_below=_number(
            c.get("small_total_assets_below"), "corporate.small_total_assets_below", positive=True
        ),
        large_annual_sales_by_industry=MappingProxyType(by_industry),
    )
    large = [
        ("corporate.large_annual_sales", corporate.large_annual_sales),
        *((f"corporate.large_annual_sales_by_industry.{k}", v) for k, v in by_industry.items()),
    ]
    for key, threshold in large:
        if threshold <= corporate.small_annual_sales_below:
            raise RulesError(
                f"{key} = {threshold:,.0f} must be greater than "
                f"corporate.small_annual_sales_below = {corporate.small_annual_sales_below:,.0f}"
            )

    n = _section(data, "no_loan")
    no_loan = NoLoanRules(
        _number(
            n.get("above_scale_deposit_avg_daily"), "no_loan.above_scale_deposit_avg_daily", positive=True
        )
    )

    e = _section(data, "matrices.existing")
    existing = ExistingMatrixRules(
        profit_cut=_cut(e.get("profit_cut", "median"), "matrices.existing.profit_cut", signed=True),
        value_cut=_cut(e.get("value_cut", "median"), "matrices.existing.value_cut"),
        bank_value_weights=_weights(
            _section(data, "matrices.existing.bank_value_weights"),
            "matrices.existing.bank_value_weights",
            ("product_coverage", "tenure", "activity", "satisfaction", "balance_growth"),
        ),
    )
    t = _section(data, "matrices.target")
    target = TargetMatrixRules(
        potential_cut=_cut(t.get("potential_cut", "median"), "matrices.target.potential_cut"),
        fit_cut=_cut(t.get("fit_cut", "median"), "matrices.target.fit_cut"),
        potential_weights=_weights(
            _section(data, "matrices.target.potential_weights"),
            "matrices.target.potential_weights",
            ("industry", "growth", "influence"),
        ),
    )

    s = _section(data, "standards")
    coverage_raw = _section(data, "standards.profile_coverage")
    coverage = {}
    for tier, share in coverage_raw.items():
        if tier not in RETAIL_TIERS:
            raise RulesError(
                f"standards.profile_coverage.{tier}: unknown tier id (known: {', '.join(RETAIL_TIERS)})"
            )
        coverage[tier] = _number(share, f"standards.profile_coverage.{tier}", share=True)
    standards = ServiceStandards(
        contact_tiers=_tiers(s.get("contact_tiers"), "standards.contact_tiers"),
        contacts_per_month=_count(s.get("contacts_per_month"), "standards.contacts_per_month"),
        event_tiers=_tiers(s.get("event_tiers"), "standards.event_tiers"),
        events_per_year=_count(s.get("events_per_year"), "standards.events_per_year"),
        private_events_per_year=_count(s.get("private_events_per_year"), "standards.private_events_per_year"),
        private_senior_visits_per_year=_count(
            s.get("private_senior_visits_per_year"), "standards.private_senior_visits_per_year"
        ),
        product_tiers=_tiers(s.get("product_tiers"), "standards.product_tiers"),
        min_product_types=_count(s.get("min_product_types"), "standards.min_product_types"),
        key_product_tiers=_tiers(s.get("key_product_tiers"), "standards.key_product_tiers"),
        key_products=_tiers(
            s.get("key_products"),
            "standards.key_products",
            allowed=("has_wealth_card", "has_credit_card", "has_online_token"),
        ),
        key_product_share=_number(s.get("key_product_share"), "standards.key_product_share", share=True),
        profile_coverage=MappingProxyType(coverage),
    )
    return TierRules(
        version=version,
        name=str(name),
        retail=retail,
        corporate=corporate,
        no_loan=no_loan,
        existing=existing,
        target=target,
        standards=standards,
        source=source,
    )


def load_rules(path: str | Path | None = None) -> TierRules:
    """Read and validate a rules file (default ``data/tier_rules.toml``).

    Raises
    ------
    RulesError
        When the file is missing, is not valid TOML, or breaks a rule; the message
        names the file and the bad key.
    """
    path = Path(path) if path else DEFAULT_RULES_PATH
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise RulesError(f"rules file {path} not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"rules file {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise RulesError(f"rules file {path} cannot be read: {exc}") from None
    try:
        return rules_from_dict(data, source=str(path))
    except RulesError as exc:
        raise RulesError(f"rules file {path}: {exc}") from None


def _to_dict(rules: TierRules) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, MappingProxyType | dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, tuple):
            return [plain(v) for v in value]
        if dataclasses.is_dataclass(value):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    def cut(v: float | None) -> Any:
        return "median" if v is None else plain(v)

    return {
        "version": rules.version,
        "name": rules.name,
        "retail": plain(rules.retail),
        "corporate": plain(rules.corporate),
        "no_loan": plain(rules.no_loan),
        "matrices": {
            "existing": {
                "profit_cut": cut(rules.existing.profit_cut),
                "value_cut": cut(rules.existing.value_cut),
                "bank_value_weights": plain(rules.existing.bank_value_weights),
            },
            "target": {
                "potential_cut": cut(rules.target.potential_cut),
                "fit_cut": cut(rules.target.fit_cut),
                "potential_weights": plain(rules.target.potential_weights),
            },
        },
        "standards": plain(rules.standards),
    }


def dump_rules(rules: TierRules) -> str:
    """The rules as TOML text that :func:`load_rules` reads back to equal rules."""
    return tomli_w.dumps(rules.to_dict())
