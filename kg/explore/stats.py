"""How big a graph is: nodes per label, edges per relation type, documents and articles."""
from __future__ import annotations

from kg.graph.model import ENTITY_LABELS, FACT_TYPES, graph_counts


def graph_stats(graph) -> dict:
    """Counts a person asks for first; every schema label and type is present, zeros included."""
    counts = graph_counts(graph)
    skipped = sum(1 for _, d in graph.nodes(data=True) if d.get("label") == "Document" and d.get("skipped"))
    return _stats(counts, skipped)


def store_stats(db_path) -> dict:
    """graph_stats of the embedded store, from count queries alone (nothing is rebuilt)."""
    from kg.graph.store import store_stats as counted

    counts = counted(db_path)
    return _stats(counts, counts["skipped_documents"])


def _stats(counts, skipped) -> dict:
    nodes, edges = counts["nodes"], counts["edges"]
    return {
        "documents": nodes.get("Document", 0),
        "skipped_documents": skipped,
        "articles": nodes.get("Article", 0),
        "entities": sum(nodes.get(label, 0) for label in ENTITY_LABELS.values()),
        "facts": sum(edges.get(t, 0) for t in FACT_TYPES),
        "metrics": nodes.get("Metric", 0),
        "nodes": nodes,
        "edges": edges,
    }


def render_stats(stats: dict) -> str:
    """Plain aligned text for a terminal."""
    lines = [
        f"documents  {stats['documents']}" + (f" ({stats['skipped_documents']} skipped)" if stats["skipped_documents"] else ""),
        f"articles   {stats['articles']}",
        f"entities   {stats['entities']}",
        f"facts      {stats['facts']}",
        f"metrics    {stats['metrics']}",
        "",
        "Nodes by label:",
    ]
    width = max(len(k) for k in [*stats["nodes"], *stats["edges"]])
    lines += [f"  {label:<{width}}  {n:>6}" for label, n in stats["nodes"].items()]
    lines += ["", "Edges by type:"]
    lines += [f"  {etype:<{width}}  {n:>6}" for etype, n in stats["edges"].items()]
    return "\n".join(lines)
