"""Node positions for the graph page, computed once here so the page never moves.

Each connected group of entities is laid out on its own by igraph's
Fruchterman-Reingold (C code: a 2,000-node graph takes well under a second),
from start positions and a random generator fixed by `seed`, so the same
graph always gets the same picture. The groups are then scaled to one edge
length and packed in rows, biggest first; nodes with no relation go in a
grid underneath (the page hides them until asked).

The browser's own physics would do the same job in seconds per thousand
nodes and differently on each machine; positions given up front let the page
draw at once and stay put.
"""
from __future__ import annotations

import math
import random

import igraph

EDGE = 90.0  # median edge length, in the page's canvas units
GAP = 120.0  # space between packed groups
CELL = 60.0  # grid step for nodes without relations
GRID_ABOVE = 300  # groups bigger than this use FR's grid approximation


def _group_layout(n, edges, rng):
    """Positions (list of (x, y)) of one connected group with n nodes, edges as index pairs."""
    if n == 1:
        return [(0.0, 0.0)]
    if n == 2:
        return [(0.0, 0.0), (EDGE, 0.0)]
    g = igraph.Graph(n=n, edges=edges)
    # igraph draws the start positions from its random generator: a seeded one
    # makes them, and so the layout, the same on every run.
    igraph.set_random_number_generator(rng)
    try:
        # The grid variant computes repulsion between nearby nodes only: a tenth
        # of the time on big groups, the same picture to the eye.
        coords = g.layout_fruchterman_reingold(niter=500, grid="grid" if n > GRID_ABOVE else "nogrid").coords
    finally:
        igraph.set_random_number_generator(random)
    lengths = sorted(math.dist(coords[a], coords[b]) for a, b in edges)
    median = lengths[len(lengths) // 2] or 1.0
    return [(x * EDGE / median, y * EDGE / median) for x, y in coords]


def _normalised(points):
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, y0 = min(xs), min(ys)
    return [(x - x0, y - y0) for x, y in points], max(xs) - x0, max(ys) - y0


def layout(nodes, edges, *, seed: int = 1) -> dict:
    """{node: (x, y)} for `nodes` (any hashable ids, in a fixed order) and `edges` (pairs of ids).

    Deterministic: the same nodes and edges in the same order give the same
    positions, in whole canvas units.
    """
    index = {n: i for i, n in enumerate(nodes)}
    pairs = sorted({tuple(sorted((index[a], index[b]))) for a, b in edges
                    if a in index and b in index and a != b})
    g = igraph.Graph(n=len(index), edges=pairs)
    groups = [sorted(c) for c in g.connected_components()]
    groups.sort(key=lambda c: (-len(c), c[0]))
    connected = [c for c in groups if len(c) > 1]
    alone = [c[0] for c in groups if len(c) == 1]
    rng = random.Random(seed)

    placed = []  # (members, points, width, height)
    for members in connected:
        local = {v: i for i, v in enumerate(members)}
        sub = [(local[a], local[b]) for a, b in pairs if a in local and b in local]
        points, w, h = _normalised(_group_layout(len(members), sub, rng))
        placed.append((members, points, w, h))

    # Shelf packing: rows about as wide as the whole picture is tall.
    area = sum((w + GAP) * (h + GAP) for _, _, w, h in placed)
    row_width = max([math.sqrt(area) * 1.3] + [w for _, _, w, _ in placed])
    pos = {}
    x = y = row_height = 0.0
    for members, points, w, h in placed:
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y + row_height + GAP, 0.0
        for v, (px, py) in zip(members, points):
            pos[v] = (x + px, y + py)
        x += w + GAP
        row_height = max(row_height, h)
    y += row_height + GAP if placed else 0.0
    columns = max(1, int(max(row_width, CELL) // CELL))
    for k, v in enumerate(alone):
        pos[v] = ((k % columns) * CELL, y + (k // columns) * CELL)

    ids = list(index)
    return {ids[v]: (round(px), round(py)) for v, (px, py) in pos.items()}
