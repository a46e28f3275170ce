"""RUNS and OFFERS: a unit runs the programmes and offers the products it launches.

A PROGRAM (PRODUCT) mention is linked when a verb of running (offering) from
config/relation_cues.jsonl stands before it in its clause (开展“…”, 推出…产品,
基于“邮e链”平台); the unit is the actor at that point (kg.nlp.actors).
"""
from __future__ import annotations

from spacy.language import Language

from kg.nlp.actors import actors, clause_start
from kg.lexicon import cues as cue_words
from kg.nlp.mentions import Relation, layout, live, relations, resolved

LINKS = {"PROGRAM": "RUNS", "PRODUCT": "OFFERS"}


@Language.factory(
    "kg_program_link_finder",
    assigns=["doc._.kg_relations"],
    requires=["doc._.kg_mentions"],
    default_config={"cues": "config/relation_cues.jsonl"},
)
def make_program_link_finder(nlp, name, cues):
    return ProgramLinkFinder(cues)


class ProgramLinkFinder:
    def __init__(self, cues):
        self.cues = {rel: cue_words(cues, rel) for rel in LINKS.values()}

    def __call__(self, doc):
        text = layout(doc).text
        lay = layout(doc)
        out = relations(doc)
        for i, m in live(doc):
            rel = LINKS.get(m.label)
            if rel is None or m.kind == "anaphor":
                continue
            lead = text[clause_start(text, m.start):m.start]
            if not any(cue in lead for cue in self.cues.get(rel, ())):
                continue
            for actor in actors(doc, lay, m.start):
                out.append(Relation(rel, actor, resolved(doc, i), min(m.start, m.end), m.end,
                                    f"program_link_finder:{rel.lower()}"))
        return doc
