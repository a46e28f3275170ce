"""kg: knowledge graphs from Chinese postal-banking newspaper pages.

    import kg
    nlp = kg.load()            # the spaCy pipeline (pipelines/default.cfg)
    doc = nlp(page_text)       # doc.ents, doc.spans["kg"], doc._.kg_rels, doc._.kg_figures

The package root is the one façade over the stages (kg.text → kg.nlp →
kg.graph → kg.explore → kg.cli); it imports them only when asked.
"""

__version__ = "0.1.0"


def load(name: str = "default"):
    """A new spaCy `Language` running kg's pipeline: a name in pipelines/ (default, jieba,
    pkuseg) or a .cfg path. Each call builds its own, so a caller may change it freely."""
    from kg.nlp.pipeline import build_pipeline

    return build_pipeline(name)
