"""The graph: the networkx model, the embedded store, the Neo4j and FalkorDB writers, Cypher, exports.

`kg.graph.build_graph(records)` and the schema constants come from `kg.graph.model`,
imported on first use so that the stores and loaders do not pull in networkx.
"""
import importlib


def __getattr__(name):
    # Submodules (`from kg.graph import cypher`) are imported as themselves;
    # anything else is looked up in the model.
    try:
        return importlib.import_module(f"kg.graph.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"kg.graph.{name}":
            raise
    model = importlib.import_module("kg.graph.model")
    try:
        return getattr(model, name)
    except AttributeError:
        raise AttributeError(f"module 'kg.graph' has no attribute {name!r}") from None
