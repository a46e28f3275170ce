"""FINANCES: a unit lends to, or grants credit to, a client or a project.

Stated as 为/向/给/对 before the client or project (or 该项目, 该公司) in its
clause and a verb of financing after it in the clause by a verb of financing (授信, 发放…贷款, 融资); cues from
config/relation_cues.jsonl.
"""
from __future__ import annotations

import re

from spacy.language import Language

from kg.actors import actors, clause_end, clause_start
from kg.lexicon import cues as cue_words
from kg.mentions import Relation, layout, live, relations, resolved

TO = re.compile(r"(?:为|向|给|对|帮助)")


@Language.factory(
    "kg_finance_finder",
    assigns=["doc._.kg_relations"],
    requires=["doc._.kg_mentions"],
    default_config={"cues": "config/relation_cues.jsonl"},
)
def make_finance_finder(nlp, name, cues):
    return FinanceFinder(cues)


class FinanceFinder:
    def __init__(self, cues):
        self.cues = cue_words(cues, "FINANCES")

    def __call__(self, doc):
        text = layout(doc).text
        lay = layout(doc)
        out = relations(doc)
        for i, m in live(doc):
            target = resolved(doc, i)
            if doc._.kg_mentions[target].label not in ("PARTNER", "PROGRAM"):
                continue
            if not TO.search(text[clause_start(text, m.start):m.start]):
                continue
            clause_rest = text[m.end:clause_end(text, m.end)]
            if not any(c in clause_rest for c in self.cues):
                continue
            for actor in actors(doc, lay, m.start):
                out.append(Relation("FINANCES", actor, target, m.start, m.end, "finance_finder:to"))
        return doc
