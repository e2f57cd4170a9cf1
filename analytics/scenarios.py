"""Tuner scenarios: named sets of changed thresholds, links that carry one, and adopting one
as a new version of the rules file.

A scenario is a baseline rules file plus a few changed tunable numbers
(:data:`analytics.tuner.TUNABLE_KEYS`). Saved scenarios live in ``scenarios.toml`` beside
the rules file. A link carries a scenario in one URL parameter (:func:`encode`), so it
opens the same scenario for anyone, saved or not.

Adopting a scenario never overwrites silently: the current rules file is first copied to
``rules_history/tier_rules.v<N>.toml`` (N = its version), then the new rules, version
N + 1, replace the file in one atomic rename. An existing history file with other content
stops the adoption with an error instead of being replaced.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import math
import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import tomli_w

from analytics.errors import RulesError
from analytics.rules import TierRules, dump_rules, load_rules
from analytics.tuner import check_key, scenario_rules

#: At most this many scenarios are compared side by side.
COMPARE_MAX = 3
NAME_MAX = 60


@dataclass(frozen=True)
class Scenario:
    """A named set of changed thresholds.

    Attributes
    ----------
    name : str
        The scenario's name (unique in the scenarios file).
    assignments : tuple of (str, float or str)
        Rule key and value, sorted by key.
    base_version : int
        Version of the rules it was made against.
    saved_at : str
        ISO time of saving (UTC), empty for an unsaved scenario.
    """

    name: str
    assignments: tuple[tuple[str, float | str], ...]
    base_version: int = 0
    saved_at: str = ""

    def as_dict(self) -> dict[str, float | str]:
        return dict(self.assignments)

    def rules(self, baseline: TierRules) -> TierRules:
        """The baseline with this scenario's numbers (validated)."""
        return scenario_rules(baseline, self.as_dict(), name=self.name)


def _assignments(values: dict[str, float | str]) -> tuple[tuple[str, float | str], ...]:
    out = []
    for key, value in sorted(values.items()):
        check_key(key)
        if value != "median":
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise RulesError(f"{key} = {value!r} must be a number")
            value = float(value)
        out.append((key, value))
    return tuple(out)


# -- links ----------------------------------------------------------------------------------

_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][+-]?\d+)?$")


def encode(assignments: dict[str, float | str]) -> str:
    """A scenario as one URL parameter value: ``retail.private:3000000;no_loan....:300000``."""
    parts = []
    for key, value in _assignments(assignments):
        text = value if isinstance(value, str) else f"{value:.15g}"
        parts.append(f"{key}:{text}")
    return ";".join(parts)


def decode(text: str) -> dict[str, float | str]:
    """The inverse of :func:`encode`.

    Raises
    ------
    RulesError
        When a part is not ``KEY:NUMBER`` or names a rule the tuner does not change (a
        crafted link is refused whole, never half applied).
    """
    values: dict[str, float | str] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, sep, value = part.partition(":")
        if not sep:
            raise RulesError(f"scenario link: '{part}' is not KEY:NUMBER")
        check_key(key)
        if value == "median" and key.startswith("matrices."):
            values[key] = "median"
        elif _NUMBER.match(value):
            number = float(value)
            if not math.isfinite(number):
                raise RulesError(f"scenario link: {key} = {value!r} is not a finite number")
            values[key] = number
        else:
            raise RulesError(f"scenario link: {key} = {value!r} is not a number")
    return values


# -- saved scenarios --------------------------------------------------------------------------


def scenarios_path(rules_path: str | Path) -> Path:
    """Where the saved scenarios of a rules file live (``scenarios.toml`` beside it)."""
    return Path(rules_path).parent / "scenarios.toml"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(path.suffix + ".lock"), "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _read(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"scenarios file {path} is not valid TOML: {exc}") from None


def list_scenarios(rules_path: str | Path) -> list[Scenario]:
    """The saved scenarios, by name.

    Raises
    ------
    RulesError
        When the file cannot be read; the message names the file and the scenario.
    """
    path = scenarios_path(rules_path)
    out = []
    for name, entry in sorted(_read(path).get("scenario", {}).items()):
        try:
            out.append(
                Scenario(
                    name=name,
                    assignments=_assignments(dict(entry.get("set", {}))),
                    base_version=int(entry.get("base_version", 0)),
                    saved_at=str(entry.get("saved_at", "")),
                )
            )
        except RulesError as exc:
            raise RulesError(f"scenarios file {path}, scenario '{name}': {exc}") from None
    return out


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise RulesError("give the scenario a name")
    if len(name) > NAME_MAX:
        raise RulesError(f"a scenario name has at most {NAME_MAX} characters")
    if any(ord(ch) < 32 for ch in name):
        raise RulesError("a scenario name cannot hold control characters")
    return name


def save_scenario(
    rules_path: str | Path,
    name: str,
    assignments: dict[str, float | str],
    *,
    base_version: int,
    replace: bool = False,
) -> Scenario:
    """Save a scenario under ``name``.

    Raises
    ------
    RulesError
        An empty or too long name, an untunable key, or a name already saved (unless
        ``replace``).
    """
    name = _check_name(name)
    values = _assignments(assignments)
    path = scenarios_path(rules_path)
    with _locked(path):
        data = _read(path)
        saved = data.setdefault("scenario", {})
        if name in saved and not replace:
            raise RulesError(f"a scenario named '{name}' is already saved; choose another name or replace it")
        stamp = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        saved[name] = {"base_version": base_version, "saved_at": stamp, "set": dict(values)}
        _write_atomic(path, tomli_w.dumps(data))
    return Scenario(name, values, base_version, stamp)


def delete_scenario(rules_path: str | Path, name: str) -> bool:
    """Delete a saved scenario; False when there was none of that name."""
    path = scenarios_path(rules_path)
    with _locked(path):
        data = _read(path)
        if name not in data.get("scenario", {}):
            return False
        del data["scenario"][name]
        _write_atomic(path, tomli_w.dumps(data))
    return True


# -- adopting a scenario as the new rules -----------------------------------------------------


def history_dir(rules_path: str | Path) -> Path:
    """Where earlier versions of a rules file are kept."""
    return Path(rules_path).parent / "rules_history"


def _history_file(rules_path: Path, version: int) -> Path:
    return history_dir(rules_path) / f"{rules_path.stem}.v{version}.toml"


def adopt(rules_path: str | Path, scenario: TierRules, *, name: str | None = None) -> TierRules:
    """Make a scenario's rules the current rules, keeping every earlier version.

    Parameters
    ----------
    rules_path : path
        The current rules file (``data/tier_rules.toml``).
    scenario : TierRules
        The rules to adopt (e.g. :meth:`Scenario.rules`).
    name : str, optional
        The new rules' name; default "<current name> + <scenario name>".

    Returns
    -------
    TierRules
        The adopted rules as read back from the file (version = current + 1).

    Raises
    ------
    RulesError
        When the current file changed since the scenario was made (another version was
        adopted meanwhile), or a history file of that version exists with other content.
    """
    rules_path = Path(rules_path)
    with _locked(rules_path):
        current = load_rules(rules_path)
        text = rules_path.read_text(encoding="utf-8")
        keep = _history_file(rules_path, current.version)
        if keep.exists():
            if keep.read_text(encoding="utf-8") != text:
                raise RulesError(
                    f"{keep} already exists with other content than {rules_path} (version {current.version}); "
                    "nothing was changed — give the rules file a new version number first"
                )
        else:
            keep.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(keep, text)
        new = TierRules(
            **{
                **{f: getattr(scenario, f) for f in scenario.__dataclass_fields__},
                "version": current.version + 1,
                "name": name or f"{current.name} + {scenario.name}",
                "source": str(rules_path),
            }
        )
        stamp = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        header = (
            f"# Tierscope tier rules, version {new.version}, adopted {stamp} from a tuner scenario.\n"
            f"# The previous version is kept in {keep.relative_to(rules_path.parent)}.\n\n"
        )
        _write_atomic(rules_path, header + dump_rules(new))
    return load_rules(rules_path)


def rules_history(rules_path: str | Path) -> pd.DataFrame:
    """Every kept version of the rules: ``version, name, path`` (the current file last)."""
    rules_path = Path(rules_path)
    rows = []
    for path in sorted(history_dir(rules_path).glob(f"{rules_path.stem}.v*.toml")):
        try:
            r = load_rules(path)
        except RulesError:
            continue
        rows.append({"version": r.version, "name": r.name, "path": str(path), "current": False})
    if rules_path.exists():
        r = load_rules(rules_path)
        rows.append({"version": r.version, "name": r.name, "path": str(rules_path), "current": True})
    frame = pd.DataFrame(rows, columns=["version", "name", "path", "current"])
    return frame.sort_values(["version", "current"]).reset_index(drop=True)
