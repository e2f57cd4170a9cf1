"""ui.data: a chart of a result frame is cached on the result's key, never confused with another frame."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ui import data


def _bars(frame: pd.DataFrame, *, title: str) -> go.Figure:
    return go.Figure(go.Bar(x=frame["x"].tolist(), y=frame["y"].tolist()), layout={"title": title})


def test_result_frames_are_charted_by_their_key_and_others_by_content():
    a = pd.DataFrame({"x": ["A", "B"], "y": [1, 2]})
    b = pd.DataFrame({"x": ["A", "B"], "y": [3, 4]})
    data._remember(a, "key-a")
    data._remember(b, "key-b")
    assert list(data.figure(_bars, a, title="t").data[0].y) == [1, 2]
    assert list(data.figure(_bars, b, title="t").data[0].y) == [3, 4]
    # a frame that did not come from result() is keyed on its contents
    c = pd.DataFrame({"x": ["A", "B"], "y": [5, 6]})
    assert list(data.figure(_bars, c, title="t").data[0].y) == [5, 6]
    assert data.figure(_bars, a, title="other").layout.title.text == "other"


def test_a_frame_inside_a_result_object_is_keyed_too():
    import dataclasses

    from analytics.concentration import Concentration

    fields = {f.name: None for f in dataclasses.fields(Concentration)}
    lorenz = pd.DataFrame({"x": ["A"], "y": [7]})
    fields["lorenz"] = lorenz
    data._remember(Concentration(**fields), "key-c")
    assert id(lorenz) in data._TOKENS
    del fields, lorenz
    import gc

    gc.collect()
    assert all(isinstance(k, int) for k in data._TOKENS)  # entries go with their frames
