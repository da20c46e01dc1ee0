"""``plot_model`` without Graphviz: the same boxes and arrows drawn by matplotlib.

Boxes go in ranks by their longest path from an input (Graphviz's ``dot`` ranks them the same
way), centred across each rank; edges are straight arrows between box sides.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

_CHAR_WIDTH, _LINE_HEIGHT = 0.075, 0.26  # inches at 9 points
_RANK_GAP, _SIDE_GAP = 0.45, 0.3


def draw(nodes: list[Any], edges: list[tuple[int, int]], rankdir: str, dpi: int,
         extension: str, text_of: Callable[[Any], tuple[str, str | None, list[str]]]) -> bytes:
    """The picture's bytes in ``extension``'s format; the figure is sized from its boxes, in
    inches, so the file is ``dpi`` pixels per inch of layout."""
    from matplotlib.patches import FancyArrowPatch, Rectangle

    from ember.plotting import new_figure

    depth = [0] * len(nodes)
    for source, destination in edges:  # sources come before destinations
        depth[destination] = max(depth[destination], depth[source] + 1)
    ranks: dict[int, list[int]] = {}
    for i, d in enumerate(depth):
        ranks.setdefault(d, []).append(i)
    texts = []
    for node in nodes:
        title, activation, cells = text_of(node)
        texts.append([title] + ([activation] if activation else []) + cells)
    box_width = max(len(line) for lines in texts for line in lines) * _CHAR_WIDTH + 0.3
    box_height = max(len(lines) for lines in texts) * _LINE_HEIGHT + 0.1
    vertical = rankdir in ("TB", "BT")
    along, across = (box_height, box_width) if vertical else (box_width, box_height)
    widest = max(len(members) for members in ranks.values())
    length = len(ranks) * (along + _RANK_GAP) + _RANK_GAP
    breadth = widest * (across + _SIDE_GAP) + _SIDE_GAP
    centres: list[tuple[float, float]] = [(0.0, 0.0)] * len(nodes)
    for rank, members in ranks.items():
        for k, i in enumerate(members):
            main = _RANK_GAP + rank * (along + _RANK_GAP) + along / 2
            if rankdir in ("TB", "LR"):
                main = length - main if vertical else main
            else:
                main = main if vertical else length - main
            side = breadth / 2 + (k - (len(members) - 1) / 2) * (across + _SIDE_GAP)
            centres[i] = (side, main) if vertical else (main, breadth - side)
    width, height = (breadth, length) if vertical else (length, breadth)
    figure = new_figure(figsize=(width, height))
    axis = figure.add_axes((0, 0, 1, 1))
    axis.set_xlim(0, width)
    axis.set_ylim(0, height)
    axis.set_axis_off()
    for (x, y), lines in zip(centres, texts):
        left, top = x - box_width / 2, y + box_height / 2
        axis.add_patch(Rectangle((left, y - box_height / 2), box_width, box_height,
                                 facecolor="white", edgecolor="black", linewidth=1.2))
        axis.add_patch(Rectangle((left, top - _LINE_HEIGHT - 0.05), box_width,
                                 _LINE_HEIGHT + 0.05, facecolor="black"))
        for row, line in enumerate(lines):
            axis.text(x, top - 0.05 - (row + 0.5) * _LINE_HEIGHT - (0.05 if row else 0), line,
                      ha="center", va="center", fontsize=9, family="sans-serif",
                      color="white" if row == 0 else "black",
                      weight="bold" if row == 0 else "normal")
    offset = {"TB": (0, -1), "BT": (0, 1), "LR": (1, 0), "RL": (-1, 0)}[rankdir]
    for source, destination in edges:
        (x0, y0), (x1, y1) = centres[source], centres[destination]
        start = (x0 + offset[0] * box_width / 2, y0 + offset[1] * box_height / 2)
        end = (x1 - offset[0] * box_width / 2, y1 - offset[1] * box_height / 2)
        axis.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12,
                                       linewidth=1.5, color="black"))
    buffer = io.BytesIO()
    figure.savefig(buffer, format=extension, dpi=dpi)
    return buffer.getvalue()
