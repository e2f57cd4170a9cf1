"""Saved scenarios, scenario links, and adopting a scenario as a new version of the rules."""

from __future__ import annotations

import shutil
import tomllib

import pytest

from analytics import scenarios
from analytics.errors import RulesError
from analytics.rules import DEFAULT_RULES_PATH, load_rules
from analytics.tuner import scenario_rules


@pytest.fixture
def rules_path(tmp_path):
    path = tmp_path / "tier_rules.toml"
    shutil.copy(DEFAULT_RULES_PATH, path)
    return path


def test_link_round_trip_and_order():
    values = {
        "retail.private": 3_000_000.0,
        "corporate.large_annual_sales": 2.5e8,
        "matrices.existing.value_cut": 60.5,
    }
    text = scenarios.encode(values)
    # keys sorted, numbers without a needless decimal point
    assert (
        text
        == "corporate.large_annual_sales:250000000;matrices.existing.value_cut:60.5;retail.private:3000000"
    )
    assert scenarios.decode(text) == values
    assert scenarios.decode("") == {}
    assert scenarios.decode("matrices.target.fit_cut:median") == {"matrices.target.fit_cut": "median"}


@pytest.mark.parametrize(
    "link",
    [
        "retail.private:abc",  # not a number
        "retail.private",  # no value
        "standards.contacts_per_month:1",  # a rule the tuner does not change
        "version:99",
        "retail.private:1e400",  # not finite
        "retail.private:3000000;retail.hnw:1;drop table customers:1",
        "retail.private:median",  # median only for matrix cut points
    ],
)
def test_crafted_links_are_refused_whole(link):
    with pytest.raises(RulesError):
        scenarios.decode(link)


def test_save_list_replace_delete(rules_path):
    assert scenarios.list_scenarios(rules_path) == []
    saved = scenarios.save_scenario(rules_path, " Private at 3M ", {"retail.private": 3e6}, base_version=1)
    assert saved.name == "Private at 3M"
    again = scenarios.list_scenarios(rules_path)
    assert [(s.name, s.as_dict(), s.base_version) for s in again] == [
        ("Private at 3M", {"retail.private": 3e6}, 1)
    ]
    with pytest.raises(RulesError, match="already saved"):
        scenarios.save_scenario(rules_path, "Private at 3M", {"retail.private": 4e6}, base_version=1)
    scenarios.save_scenario(
        rules_path, "Private at 3M", {"retail.private": 4e6}, base_version=1, replace=True
    )
    assert scenarios.list_scenarios(rules_path)[0].as_dict() == {"retail.private": 4e6}
    scenarios.save_scenario(
        rules_path, "中文方案", {"no_loan.above_scale_deposit_avg_daily": 3e5}, base_version=1
    )
    assert [s.name for s in scenarios.list_scenarios(rules_path)] == ["Private at 3M", "中文方案"]
    assert scenarios.delete_scenario(rules_path, "Private at 3M") is True
    assert scenarios.delete_scenario(rules_path, "Private at 3M") is False
    assert [s.name for s in scenarios.list_scenarios(rules_path)] == ["中文方案"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 61, "bad\nname"])
def test_bad_names_are_refused(rules_path, name):
    with pytest.raises(RulesError):
        scenarios.save_scenario(rules_path, name, {"retail.private": 3e6}, base_version=1)
    assert not scenarios.scenarios_path(rules_path).exists()


def test_untunable_keys_are_not_saved(rules_path):
    with pytest.raises(RulesError, match="cannot be tuned"):
        scenarios.save_scenario(rules_path, "x", {"standards.contacts_per_month": 1}, base_version=1)


def test_adopt_keeps_every_version(rules_path):
    original = rules_path.read_text(encoding="utf-8")
    v1 = load_rules(rules_path)
    assert v1.version == 1
    v2 = scenarios.adopt(rules_path, scenario_rules(v1, {"retail.private": 3e6}, name="Private at 3M"))
    assert (v2.version, v2.retail.private, v2.retail.hnw) == (2, 3e6, 1e6)
    assert v2.name == "Default rules (DESIGN.md) + Private at 3M"
    history = rules_path.parent / "rules_history"
    assert (history / "tier_rules.v1.toml").read_text(encoding="utf-8") == original  # kept byte for byte
    v3 = scenarios.adopt(rules_path, scenario_rules(v2, {"retail.hnw": 2e6}), name="Spring 2027")
    assert (v3.version, v3.name, v3.retail.hnw, v3.retail.private) == (3, "Spring 2027", 2e6, 3e6)
    assert load_rules(history / "tier_rules.v2.toml").retail.private == 3e6
    table = scenarios.rules_history(rules_path)
    assert table[["version", "current"]].values.tolist() == [[1, False], [2, False], [3, True]]
    # the written file is a valid rules file with the whole rule set
    with open(rules_path, "rb") as fh:
        data = tomllib.load(fh)
    assert data["version"] == 3 and data["standards"]["contacts_per_month"] == 2


def test_adopt_never_overwrites_a_different_history_file(rules_path):
    history = rules_path.parent / "rules_history"
    history.mkdir()
    (history / "tier_rules.v1.toml").write_text("# someone else's version 1\n", encoding="utf-8")
    before = rules_path.read_text(encoding="utf-8")
    v1 = load_rules(rules_path)
    with pytest.raises(RulesError, match="already exists"):
        scenarios.adopt(rules_path, scenario_rules(v1, {"retail.private": 3e6}))
    assert rules_path.read_text(encoding="utf-8") == before  # nothing changed
    assert (history / "tier_rules.v1.toml").read_text(encoding="utf-8") == "# someone else's version 1\n"


def test_scenario_rules_of_a_saved_scenario(rules_path):
    sc = scenarios.save_scenario(
        rules_path, "Low large bar", {"corporate.large_annual_sales": 2e8}, base_version=1
    )
    rules = sc.rules(load_rules(rules_path))
    assert rules.corporate.large_annual_sales == 2e8
    assert rules.name == "Low large bar"
    assert rules.fingerprint != load_rules(rules_path).fingerprint
