"""Benchmark: chart export times with the one long-lived export browser.

Builds real app figures (the tier pyramid, the tuner's tier bars for customers, AUM and
profit, and its movement heatmap, in English and Chinese) from small synthetic frames and
times, in one process:

- the first PNG export (cold: kaleido imported, Chromium started, one render);
- the median of the next ``--runs`` single-chart PNG exports (1920 x 1080, scale 1) and of
  as many at scale 2 (3840 x 2160);
- the median of ``--runs`` SVG exports;
- a ``--charts``-chart PPTX deck (:func:`analytics.export.deck_pptx`), median of 3;
- for comparison, one PNG through plotly's own ``plotly.io.to_image`` without a long-lived
  browser (kaleido then starts and stops Chromium for the one image).

    BROWSER_PATH=/usr/bin/chromium .venv/bin/python bench/export.py [--runs 10] [--charts 10]

This is a benchmark that prints figures, not a timed test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics import charts, export  # noqa: E402
from analytics.rules import RETAIL_TIERS, TIER_ORDER  # noqa: E402
from analytics.tiers import TIER_SEGMENT  # noqa: E402


def tiers_frame() -> pd.DataFrame:
    """A tuner simulation's ``tiers``: customers, AUM and profit per tier, baseline and scenario."""
    base = dict(
        zip(
            TIER_ORDER, [9000, 3000, 1500, 300, 40, 10, 30, 300, 150, 45, 90, 60, 290, 330, 120], strict=False
        )
    )
    scen = base | {"hnw": 250, "private": 90}
    frame = pd.DataFrame({"segment": [TIER_SEGMENT[x] for x in TIER_ORDER], "tier": list(TIER_ORDER)})
    for name, counts in (("baseline", base), ("scenario", scen)):
        frame[f"{name}_customers"] = [counts.get(x, 0) for x in TIER_ORDER]
        frame[f"{name}_aum"] = frame[f"{name}_customers"] * 850_000.0
        frame[f"{name}_profit"] = frame[f"{name}_customers"] * 3_200.0
    return frame


def pyramid_frame(tiers: pd.DataFrame) -> pd.DataFrame:
    """The overview's tier pyramid input: ``panel, tier, customers, aum`` and the shares."""
    frame = pd.DataFrame(
        {
            "panel": ["retail" if x in RETAIL_TIERS else "corporate" for x in tiers["tier"]],
            "tier": tiers["tier"],
            "customers": tiers["baseline_customers"],
            "aum": tiers["baseline_aum"],
        }
    )
    for col in ("customers", "aum"):
        frame[f"{col}_share"] = frame[col] / frame.groupby("panel")[col].transform("sum")
    return frame


def movement_frame(tiers: pd.DataFrame) -> pd.DataFrame:
    """A tuner simulation's ``movement``: who stays, and 50 customers moving from hnw to private."""
    rows = [(x, x, int(n)) for x, n in zip(tiers["tier"], tiers["scenario_customers"], strict=True) if n]
    rows.append(("hnw", "private", 50))
    frame = pd.DataFrame(rows, columns=["from_tier", "to_tier", "customers"])
    frame["aum"] = frame["customers"] * 850_000.0
    frame["profit"] = frame["customers"] * 3_200.0
    return frame


def figures() -> list[tuple[str, object]]:
    tiers = tiers_frame()
    out = []
    for lang in ("en", "zh"):
        sub = "Snapshot 2026-09-30 · Head office · Rules: default v1"
        if lang == "zh":
            sub = "快照 2026-09-30 · 总行 · 规则：default v1"
        out.append(("pyramid", charts.tier_pyramid(pyramid_frame(tiers), lang=lang, subtitle=sub)))
        for measure in charts.TUNER_MEASURES:
            out.append((measure, charts.tuner_tier_bars(tiers, measure=measure, lang=lang, subtitle=sub)))
        out.append(
            ("movement", charts.tuner_movement_heatmap(movement_frame(tiers), lang=lang, subtitle=sub))
        )
    return out


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--charts", type=int, default=10)
    args = parser.parse_args()

    figs = figures()
    print(f"browser: {export.browser_path()}")
    first = timed(lambda: export.figure_image(figs[0][1]))
    print(f"first PNG 1920x1080 (cold: browser start + render): {first:.2f} s")

    def median(label: str, **opts) -> None:
        times = [
            timed(lambda i=i: export.figure_image(figs[i % len(figs)][1], **opts)) for i in range(args.runs)
        ]
        print(
            f"{label}: median {statistics.median(times):.3f} s, "
            f"max {max(times):.3f} s over {args.runs} charts"
        )

    median("PNG 1920x1080 scale 1")
    median("PNG 3840x2160 (scale 2)", scale=2)
    median("SVG 1920x1080", format="svg")

    items = [
        export.DeckSlide(f"{i + 1}. {name}", figs[i % len(figs)][1], note="Synthetic data")
        for i, (name, _) in enumerate(figs * (args.charts // len(figs) + 1))
    ][: args.charts]
    created = dt.date(2026, 10, 5)
    sizes = []

    def deck() -> None:
        data = export.deck_pptx(
            items, title="Tierscope export benchmark", subtitle="Synthetic", source="bench", created=created
        )
        sizes.append(len(data))

    times = [timed(deck) for _ in range(3)]
    print(
        f"deck of {args.charts} charts ({args.charts + 1} slides, {sizes[-1] / 1e6:.1f} MB): "
        f"median {statistics.median(times):.2f} s, max {max(times):.2f} s over 3"
    )
    export.stop_renderer()

    import plotly.io as pio

    oneshot = timed(lambda: pio.to_image(figs[1][1], format="png", width=1920, height=1080))
    print(f"for comparison, plotly.io.to_image without a long-lived browser: {oneshot:.2f} s per PNG")


if __name__ == "__main__":
    main()
