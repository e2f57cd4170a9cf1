"""The rules file: defaults of DESIGN.md, validation messages, round trip."""

from __future__ import annotations

import tomllib

import pytest

from analytics.errors import RulesError
from analytics.rules import DEFAULT_RULES_PATH, dump_rules, load_rules, rules_from_dict


@pytest.fixture
def data():
    with open(DEFAULT_RULES_PATH, "rb") as fh:
        return tomllib.load(fh)


def test_defaults_are_those_of_design():
    r = load_rules()
    assert r.retail.bounds() == (
        ("emerging", 50_000),
        ("affluent", 200_000),
        ("hnw", 1_000_000),
        ("private", 5_000_000),
    )
    assert r.corporate.large_annual_sales == 300_000_000
    assert r.corporate.large_threshold("information_technology") == 150_000_000
    assert r.corporate.large_threshold("manufacturing") == 300_000_000
    assert r.no_loan.above_scale_deposit_avg_daily == 500_000
    assert r.existing.profit_cut is None and r.existing.value_cut is None  # medians
    assert sum(r.target.potential_weights.values()) == pytest.approx(1)
    s = r.standards
    assert (s.contacts_per_month, s.events_per_year, s.private_events_per_year) == (2, 2, 3)
    assert s.private_senior_visits_per_year == 2 and s.min_product_types == 5
    assert dict(s.profile_coverage) == {"emerging": 0.8, "affluent": 0.9, "hnw": 1.0}
    assert s.key_product_share == 0.8


def test_round_trip_through_toml():
    r = load_rules()
    again = rules_from_dict(tomllib.loads(dump_rules(r)))
    assert dump_rules(again) == dump_rules(r)
    assert again.fingerprint == r.fingerprint


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda d: d["retail"].update(affluent=40_000),
            "retail.affluent = 40,000 must be greater than retail.emerging = 50,000",
        ),
        (lambda d: d["retail"].update(hnw=-1), "retail.hnw = -1 must be positive"),
        (lambda d: d["retail"].update(private="5M"), "retail.private = '5M' must be a number"),
        (lambda d: d["retail"].update(ultra=9e9), "retail.ultra: unknown tier id"),
        (lambda d: d["retail"].pop("hnw"), "retail.hnw is missing"),
        (
            lambda d: d["standards"].update(contact_tiers=["affluent", "vip"]),
            "standards.contact_tiers: unknown tier id 'vip'",
        ),
        (
            lambda d: d["standards"]["profile_coverage"].update(hnw=1.5),
            "standards.profile_coverage.hnw = 1.5 must be a share",
        ),
        (lambda d: d["matrices"]["target"]["potential_weights"].update(industry=0.5), "weights sum to 1.1"),
        (
            lambda d: d["corporate"].update(large_annual_sales=10_000_000),
            "corporate.large_annual_sales = 10,000,000 must be greater than "
            "corporate.small_annual_sales_below = 20,000,000",
        ),
        (
            lambda d: d["corporate"]["large_annual_sales_by_industry"].update(retail_trade=15_000_000),
            "corporate.large_annual_sales_by_industry.retail_trade = 15,000,000 must be greater than "
            "corporate.small_annual_sales_below",
        ),
        (
            lambda d: d["no_loan"].update(above_scale_deposit_avg_daily=0),
            "no_loan.above_scale_deposit_avg_daily = 0 must be positive",
        ),
        (lambda d: d.pop("standards"), "missing section [standards]"),
    ],
)
def test_bad_values_are_named(data, change, message):
    change(data)
    with pytest.raises(RulesError) as err:
        rules_from_dict(data)
    assert message in str(err.value)


def test_with_values_validates_and_rejects_unknown_keys():
    r = load_rules()
    assert r.with_values({"retail.private": 3_000_000}).retail.private == 3_000_000
    assert r.retail.private == 5_000_000  # the original is unchanged (frozen)
    with pytest.raises(RulesError, match="unknown rule 'retail.vip'"):
        r.with_values({"retail.vip": 1})
    with pytest.raises(RulesError, match="must be greater than"):
        r.with_values({"retail.private": 900_000})


def test_file_errors_name_the_file(tmp_path):
    missing = tmp_path / "none.toml"
    with pytest.raises(RulesError, match="none.toml not found"):
        load_rules(missing)
    bad = tmp_path / "bad.toml"
    bad.write_text("[retail\nemerging = 1", encoding="utf-8")
    with pytest.raises(RulesError, match="bad.toml is not valid TOML"):
        load_rules(bad)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(DEFAULT_RULES_PATH.read_text(encoding="utf-8").replace("hnw = 1_000_000", "hnw = 100"))
    with pytest.raises(
        RulesError, match=r"wrong.toml: retail.hnw = 100 must be greater than retail.affluent"
    ):
        load_rules(wrong)
