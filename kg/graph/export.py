"""Graph exports: GraphML, node-link JSON, and CSV folders for `neo4j-admin database import`.

Every export is written beside its target and moved into place in one step.
A neo4j-csv folder carries a manifest (`kg-export.json`) of the files kg
wrote: kg writes only into a new, empty or kg-made folder, and on a re-export
replaces and deletes only the files its manifest lists; anything else a user
put there stays.

`export_store` streams node-link JSON and the neo4j-admin CSVs straight from
the embedded store, table by table, so a store of any size exports in flat
memory; GraphML is written by networkx, from the store's graph.
`export_graph` writes a networkx graph a library user holds.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from kg.atomic import atomic_replace_dir, atomic_write, atomic_write_text
from kg.errors import KgError
from kg.graph.model import EDGE_PROPS, EDGE_TYPES, NODE_LABELS, NODE_PROPS

FORMATS = ("graphml", "json", "neo4j-csv")
MANIFEST = "kg-export.json"
ARRAY_DELIMITER = ";"
# neo4j-admin header types for the property kinds in kg.graph.model.
NEO4J_TYPES = {"str": "", "int": ":long", "float": ":double", "list": ":string[]"}


class ExportError(KgError):
    """An export target that cannot be written."""


# XML 1.0 has no way to write these characters, not even escaped; a page may
# carry them (a NUL or ESC in the PDF's text) into sentences and mentions.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _scalar(value):
    """GraphML has no list or null: lists become JSON text, None is left out; text loses what XML cannot hold."""
    if isinstance(value, (list, tuple, dict)):
        value = json.dumps(list(value) if not isinstance(value, dict) else value, ensure_ascii=False)
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    return value


def _display_name(key, data) -> str:
    """What Gephi and yEd show on a node: its name (a metric's with its figure), else title or key."""
    if data.get("label") == "Metric" and data.get("name"):
        return f"{data['name']} {data.get('value_text') or ''}{data.get('unit') or ''}".strip()
    return str(data.get("name") or data.get("title") or key)


def graphml_ready(g):
    """A copy of g that networkx can write as GraphML (see `_scalar`).

    Gephi and yEd show a node's and an edge's `label` attribute, so there
    `label` is the name (an edge's relation type) and the node's kg label
    (Branch, Metric …) is `type`, as edges already have it.
    """
    import networkx as nx

    h = nx.MultiDiGraph()
    for n, data in g.nodes(data=True):
        attrs = {k: _scalar(v) for k, v in data.items() if v is not None and k != "label"}
        attrs.update(type=data.get("label"), label=_scalar(_display_name(n, data)))
        h.add_node(_scalar(n), **attrs)
    for u, v, k, data in g.edges(keys=True, data=True):
        u, v, k = _scalar(u), _scalar(v), _scalar(k)
        h.add_edge(u, v, key=k)
        h.edges[u, v, k].update({a: _scalar(b) for a, b in data.items() if b is not None})
        h.edges[u, v, k]["label"] = data.get("type")
    return h


def write_graphml(g, out) -> None:
    import networkx as nx

    with atomic_write(out, "wb") as fh:
        nx.write_graphml(graphml_ready(g), fh, encoding="utf-8")


def _json_items(nodes, edges):
    """networkx's node-link form, item by item: nodes ({**attrs, "id"}), then edges."""
    for key, data in nodes:
        yield "nodes", {**data, "id": key}
    for source, target, key, data in edges:
        yield "edges", {**data, "source": source, "target": target, "key": key}


def _write_node_link(items, out) -> dict:
    """Stream node-link JSON (what `networkx.node_link_graph(..., edges="edges")` reads)."""
    n = {"nodes": 0, "edges": 0}
    with atomic_write(out) as fh:
        fh.write('{"directed": true, "multigraph": true, "graph": {}, "nodes": [')
        part = "nodes"
        for kind, item in items:
            if kind != part:
                fh.write('], "edges": [')
                part = kind
            fh.write(("\n " if not n[kind] else ",\n ") + json.dumps(item, ensure_ascii=False))
            n[kind] += 1
        if part == "nodes":
            fh.write('], "edges": [')
        fh.write("]}\n")
    return n


def write_json(g, out) -> None:
    _write_node_link(_json_items(((k, d) for k, d in g.nodes(data=True)),
                                 ((u, v, k, d) for u, v, k, d in g.edges(keys=True, data=True))), out)


def _neo4j_cell(value, kind):
    if value is None:
        return ""
    if kind == "list":
        # neo4j-admin has no escape for the array delimiter; a full-width one keeps the text readable.
        return ARRAY_DELIMITER.join(str(v).replace(ARRAY_DELIMITER, "；") for v in value)
    if kind == "float":
        return repr(float(value))
    return str(value)


def neo4j_headers():
    """{file name: header row} for every node label and edge type (global ID space)."""
    heads = {}
    for label in NODE_LABELS:
        props = [f"{p}{NEO4J_TYPES[k]}" for p, k in NODE_PROPS[label].items()]
        heads[f"nodes_{label}.csv"] = ["key:ID", *props, ":LABEL"]
    for etype in EDGE_TYPES:
        props = [f"{p}{NEO4J_TYPES[k]}" for p, k in EDGE_PROPS[etype].items()]
        heads[f"rels_{etype}.csv"] = [":START_ID", ":END_ID", "key", *props, ":TYPE"]
    return heads


def import_command(database="neo4j") -> str:
    files = neo4j_headers()
    nodes = " ".join(f"--nodes={f}" for f in files if f.startswith("nodes_"))
    rels = " ".join(f"--relationships={f}" for f in files if f.startswith("rels_"))
    # The database name comes first: --nodes/--relationships take one or more files each, so a
    # name after them is read as one more file (neo4j-admin 5: "File 'neo4j' doesn't exist").
    return (f'neo4j-admin database import full {database} --id-type=string --array-delimiter="{ARRAY_DELIMITER}" '
            f"--multiline-fields=true --overwrite-destination=true {nodes} {rels}")


def _write_neo4j_files(nodes_of, edges_of, folder: Path) -> dict:
    """One CSV per label and type; nodes_of(label) yields (key, attrs), edges_of(type) (u, v, key, attrs)."""
    heads = neo4j_headers()
    n = {"nodes": 0, "edges": 0}
    for label in NODE_LABELS:
        props = NODE_PROPS[label]
        with open(folder / f"nodes_{label}.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(heads[f"nodes_{label}.csv"])
            for key, data in nodes_of(label):
                w.writerow([key, *(_neo4j_cell(data.get(p), k) for p, k in props.items()), label])
                n["nodes"] += 1
    for etype in EDGE_TYPES:
        props = EDGE_PROPS[etype]
        with open(folder / f"rels_{etype}.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(heads[f"rels_{etype}.csv"])
            for u, v, k, data in edges_of(etype):
                w.writerow([u, v, k, *(_neo4j_cell(data.get(p), t) for p, t in props.items()), etype])
                n["edges"] += 1
    command = import_command()
    (folder / "import.sh").write_text(
        "#!/bin/sh\n# Load this folder into an empty, stopped Neo4j 5 database named neo4j.\n"
        f'cd "$(dirname "$0")" && exec {command}\n', encoding="utf-8")
    (folder / "import.sh").chmod(0o755)
    (folder / "README.md").write_text(
        "# kg graph for neo4j-admin\n\nOne CSV per node label (`nodes_*.csv`) and edge type "
        "(`rels_*.csv`); ids are the graph's `key`s, one global id space. List properties use "
        f"`{ARRAY_DELIMITER}` between items. With Neo4j stopped, run from this folder:\n\n"
        f"    {command}\n", encoding="utf-8")
    return n


def _manifest(folder: Path) -> list[str] | None:
    """The files an earlier kg export wrote into `folder`, or None if kg did not make it."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if data.get("format") != "neo4j-csv" or not isinstance(files, list) or \
            not all(isinstance(f, str) and f and "/" not in f and f not in (".", "..") for f in files):
        return None
    return files


def write_neo4j_csv(g, out) -> None:
    """A folder of neo4j-admin import CSVs of a networkx graph (see `_neo4j_csv`)."""
    _neo4j_csv(lambda label: ((k, d) for k, d in g.nodes(data=True) if d["label"] == label),
               lambda etype: ((u, v, k, d) for u, v, k, d in g.edges(keys=True, data=True) if d["type"] == etype),
               out)


def _neo4j_csv(nodes_of, edges_of, out) -> dict:
    """A folder of neo4j-admin import CSVs, written only into a new, empty or kg-made folder.

    A folder holding only kg's files is replaced whole, in one step; one where
    the user added files gets kg's files replaced one by one, the files of the
    old export that are no longer written removed, and nothing else touched.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out}: exists and is not a folder; choose another -o")
    present = set(os.listdir(out)) if out.is_dir() else set()
    old = _manifest(out) if present else []
    if old is None:
        raise ExportError(f"{out}: exists and is not a kg neo4j-csv export (no {MANIFEST}); choose a new or "
                          "empty folder")
    out.parent.mkdir(parents=True, exist_ok=True)

    def fill(folder: Path) -> dict:
        n = _write_neo4j_files(nodes_of, edges_of, folder)
        files = sorted(p.name for p in folder.iterdir())
        (folder / MANIFEST).write_text(json.dumps({"format": "neo4j-csv", "files": files}, indent=1) + "\n",
                                       encoding="utf-8")
        return n

    foreign = present - set(old) - {MANIFEST}
    if not foreign:
        return atomic_replace_dir(out, fill)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        n = fill(staging)
        new = _manifest(staging)
        clash = sorted(foreign & set(new))
        if clash:
            raise ExportError(f"{out}: {clash[0]} there was not written by kg; move it away or choose another -o")
        for name in new:
            os.replace(staging / name, out / name)
        for name in set(old) - set(new):
            if (out / name).is_file():
                (out / name).unlink()
        atomic_write_text(out / MANIFEST, (staging / MANIFEST).read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return n


def export_graph(g, fmt: str, out) -> dict:
    """Write g as fmt ("graphml", "json" or "neo4j-csv") to out; returns node and edge counts."""
    writers = {"graphml": write_graphml, "json": write_json, "neo4j-csv": write_neo4j_csv}
    if fmt not in writers:
        raise ExportError(f"unknown export format {fmt!r} (choose {', '.join(FORMATS)})")
    try:
        writers[fmt](g, out)
    except OSError as exc:
        raise ExportError(f"{out}: {exc.strerror or exc}") from None
    return {"nodes": g.number_of_nodes(), "edges": g.number_of_edges(), "format": fmt, "out": str(out)}


def export_store(db_path, fmt: str, out) -> dict:
    """Write the store at db_path as fmt; JSON and neo4j-csv stream from the store table by table."""
    from kg.graph.store import iter_edges, iter_nodes, load_graph

    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (choose {', '.join(FORMATS)})")

    def nodes_of(labels):
        for _kind, label, key, props in iter_nodes(db_path, labels):
            yield key, {"key": key, "label": label, **props}

    def edges_of(types):
        for etype, source, target, key, props in iter_edges(db_path, types):
            yield source, target, key, {"key": key, "type": etype, **props}

    try:
        if fmt == "graphml":
            g = load_graph(db_path)
            write_graphml(g, out)
            n = {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
        elif fmt == "json":
            n = _write_node_link(_json_items(nodes_of(NODE_LABELS), edges_of(EDGE_TYPES)), out)
        else:
            n = _neo4j_csv(lambda label: nodes_of([label]), lambda etype: edges_of([etype]), out)
    except OSError as exc:
        raise ExportError(f"{out}: {exc.strerror or exc}") from None
    return {**n, "format": fmt, "out": str(out)}
