"""Charts a person would rather look at than read, over matplotlib (`pip install
commshub-ota[charts]`): each helper takes the library's own answers and returns the figure, to
show, adjust or save. `save_svg` writes byte-stable SVG (a fixed hash salt, no date), so the same
answer gives the same file.

- `dpl_pie(engine.dpl_pie(actor, on, customer=...))`: the deployed products as a donut of a few
  slices (the core chooses them: the largest sets, then groups, then "other"), with a table.
- `dpl_area(engine.dpl_history(actor, from_, to, customer=...))`: the list over time as a 100%
  stacked area of the largest sets and "other".
- `shares_area(engine.industry_shares(actor, from_, to), variant)`: the industry's shares of one
  variant's hubs over time (shares only, as disclosure control allows).
- `campaign_progress({campaign: engine.campaign_progress(actor, campaign, at), ...})`: where each
  campaign's hubs stand, as stacked bars.

The core's HTML report (`engine.report(actor, at)`) draws the same charts without matplotlib."""

from __future__ import annotations

import io
import os
from datetime import date
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Sequence, Tuple, Union, cast

from ._views import DplDay, PieSlice, SetProgress, SharesDay

if TYPE_CHECKING:  # matplotlib is an optional extra: imported when a chart is drawn
    from matplotlib.figure import Figure

# Okabe and Ito's colours (told apart with any common colour-vision deficiency); grey is "other".
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
OTHER = "#8C8C8C"
_KINDS: List[Tuple[str, str]] = [
    ("succeeded", "#009E73"), ("failed", "#D55E00"), ("in flight", "#56B4E9"),
    ("upgradeable", "#0072B2"), ("waiting", "#E69F00"),
]


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        matplotlib.rcParams["svg.hashsalt"] = "commshub-ota"
        matplotlib.rcParams["font.family"] = "DejaVu Sans"
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - the message is the point
        raise ImportError("commshub_ota.charts needs matplotlib: pip install 'commshub-ota[charts]'") from e
    return plt


def _colours(n: int, other_last: bool) -> List[str]:
    out = [PALETTE[i % len(PALETTE)] for i in range(n)]
    if other_last and out:
        out[-1] = OTHER
    return out


def dpl_pie(slices: Sequence[PieSlice], title: str = "Deployed products") -> "Figure":
    """The slices (`Engine.dpl_pie`) as a donut with a table of each slice's sets, hubs and share."""
    plt = _pyplot()
    total = sum(s.hubs for s in slices)
    fig, (ax, tab) = plt.subplots(1, 2, figsize=(10, 4.2), gridspec_kw={"width_ratios": [1, 1.5]})
    colours = _colours(len(slices), bool(slices) and slices[-1].kind.value == "other")
    if total > 0:
        ax.pie([s.hubs for s in slices], colors=colours, startangle=90, counterclock=False,
               wedgeprops={"width": 0.45, "edgecolor": "white", "linewidth": 1.5})
    ax.set_aspect("equal")
    fig.suptitle(title, x=0.02, ha="left", fontsize=13)
    tab.axis("off")
    rows = [[s.label, str(s.sets), f"{s.hubs:,}", f"{100 * s.hubs / total:.1f}%" if total else "0%"] for s in slices]
    if rows:
        table = tab.table(cellText=rows, colLabels=["slice", "sets", "hubs", "share"], loc="center",
                          colWidths=[0.64, 0.1, 0.14, 0.12], cellLoc="left")
        table.auto_set_font_size(False)
        table.set_fontsize(8)
        for i, colour in enumerate(colours, start=1):
            table[i, 0].set_text_props(color="black")
            table[i, 0].set_facecolor(colour + "33")
    fig.tight_layout()
    return cast("Figure", fig)


def _stack(ax: Any, days: Sequence[date], bands: Sequence[Tuple[str, List[float]]], colours: Sequence[str]) -> None:
    totals = [sum(b[1][i] for b in bands) for i in range(len(days))]
    parts = [[100 * v / t if t else 0.0 for v, t in zip(values, totals)] for _, values in bands]
    ax.stackplot(list(days), *parts, labels=[label for label, _ in bands], colors=list(colours))
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of hubs")
    ax.margins(x=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)


def dpl_area(history: Sequence[DplDay], top: int = 6, title: str = "Deployed products over time") -> "Figure":
    """The history (`Engine.dpl_history`) as a 100% stacked area: the `top` largest sets on the
    last day, the rest as "other"."""
    plt = _pyplot()
    last = history[-1].sets if history else []
    names = [e.label for e in last[:top]]
    bands: List[Tuple[str, List[float]]] = [(n, [float(next((e.hubs for e in d.sets if e.label == n), 0)) for d in history]) for n in names]
    rest = [float(sum(e.hubs for e in d.sets if e.label not in names)) for d in history]
    if any(rest):
        bands.append(("other", rest))
    fig, ax = plt.subplots(figsize=(10, 4.2))
    _stack(ax, [d.day for d in history], bands, _colours(len(bands), any(rest)))
    ax.set_title(title, loc="left", fontsize=13)
    fig.autofmt_xdate()
    fig.tight_layout()
    return cast("Figure", fig)


def shares_area(days: Sequence[SharesDay], variant: str, title: Union[str, None] = None) -> "Figure":
    """One variant's industry shares over time (`Engine.industry_shares`): each set shown on the
    last day, and "other" (what is merged, or not shown on a day)."""
    plt = _pyplot()
    def of(d: SharesDay) -> Dict[str, float]:
        for v in d.variants:
            if v.variant == variant:
                out = {s.label: float(s.share_bp) for s in v.sets}
                out["other"] = 10_000.0 - sum(out.values())
                return out
        return {}
    series = [of(d) for d in days]
    last = [s.label for d in days[-1:] for v in d.variants if v.variant == variant for s in v.sets]
    bands = [(n, [x.get(n, 0.0) for x in series]) for n in last[: len(PALETTE)]]
    bands.append(("other", [max(0.0, 10_000.0 - sum(x.get(n, 0.0) for n in last[: len(PALETTE)])) if x else 0.0 for x in series]))
    fig, ax = plt.subplots(figsize=(10, 4.2))
    _stack(ax, [d.day for d in days], bands, _colours(len(bands), True))
    ax.set_title(title or f"Industry shares of {variant} over time", loc="left", fontsize=13)
    fig.autofmt_xdate()
    fig.tight_layout()
    return cast("Figure", fig)


def campaign_progress(progress: Mapping[str, Sequence[SetProgress]], title: str = "Campaign progress") -> "Figure":
    """Where each campaign's hubs stand (`Engine.campaign_progress` per campaign), as stacked bars."""
    plt = _pyplot()
    names = list(progress)
    figures = {
        "succeeded": [sum(p.succeeded for p in progress[c]) for c in names],
        "failed": [sum(p.failed for p in progress[c]) for c in names],
        "in flight": [sum(p.dispatched for p in progress[c]) for c in names],
        "upgradeable": [sum(p.upgradeable_now for p in progress[c]) for c in names],
        "waiting": [sum(p.awaiting_consent + p.blocked for p in progress[c]) for c in names],
    }
    fig, ax = plt.subplots(figsize=(10, max(2.4, 0.9 + 0.6 * len(names))))
    left = [0] * len(names)
    for kind, colour in _KINDS:
        ax.barh(names, figures[kind], left=left, color=colour, label=kind)
        left = [a + b for a, b in zip(left, figures[kind])]
    ax.invert_yaxis()
    ax.set_xlabel("hubs")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    ax.set_title(title, loc="left", fontsize=13)
    fig.tight_layout()
    return cast("Figure", fig)


def save_svg(fig: "Figure", path: Union[str, "os.PathLike[str]"]) -> bytes:
    """Writes `fig` as SVG to `path`, the same bytes for the same figure (no date, a fixed hash
    salt); returns the bytes."""
    _pyplot()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    data = buffer.getvalue()
    with open(os.fspath(path), "wb") as f:
        f.write(data)
    return data
