"""PARTNERS_WITH: a unit works with an outside organisation.

Stated as 与/同/跟 + organisation + a verb of cooperation (与浙江省人社局合作,
与省人社局开展全面合作), or a cooperation verb right before the organisation
(配合省人社局, 携手…, 联合…), or with the organisation first
(湖北医保局与湖北省分行签订合作协议); cues from config/relation_cues.jsonl.
"""
from __future__ import annotations

import re

from spacy.language import Language

from kg.nlp.actors import actors, clause_end, clause_start
from kg.lexicon import cues as cue_words
from kg.nlp.mentions import Relation, layout, live, relations, resolved

WITH = re.compile(r"(?:与|同|跟|和)(?:[\u4e00-\u9fff]{0,2})$")


@Language.factory(
    "kg_partnership_finder",
    assigns=["doc._.kg_relations"],
    requires=["doc._.kg_mentions"],
    default_config={"cues": "config/relation_cues.jsonl"},
)
def make_partnership_finder(nlp, name, cues):
    return PartnershipFinder(cues)


class PartnershipFinder:
    def __init__(self, cues):
        self.cues = cue_words(cues, "PARTNERS_WITH")

    def __call__(self, doc):
        text = layout(doc).text
        lay = layout(doc)
        out = relations(doc)
        listed = {}  # end offset of a partner taken with 与 → True, for lists
        for i, m in live(doc):
            target = resolved(doc, i)
            if doc._.kg_mentions[target].label != "PARTNER":
                continue
            before = text[clause_start(text, m.start):m.start]
            clause_rest = text[m.end:clause_end(text, m.end)]
            with_form = WITH.search(before) and any(c in clause_rest for c in self.cues)
            verb_form = any(before.endswith(c) for c in self.cues)
            if not (with_form or verb_form) and before.endswith(("、", "和", "及")) and listed.get(m.start - 1):
                with_form = any(c in clause_rest for c in self.cues)  # 与A、B联合举办: B too
            if not (with_form or verb_form):
                continue
            listed[m.end] = True
            for actor in actors(doc, lay, m.start):
                out.append(Relation("PARTNERS_WITH", actor, target, m.start, m.end,
                                    "partnership_finder:" + ("with" if with_form else "verb")))
        self._partner_first(doc, lay, out)
        return doc

    def _partner_first(self, doc, lay, out):
        """湖北医保局与湖北省分行签订合作协议: the organisation opens, the unit follows 与."""
        text = layout(doc).text
        found = doc._.kg_mentions
        for i, m in live(doc):
            unit = resolved(doc, i)
            if found[unit].label != "BRANCH":
                continue
            before = text[clause_start(text, m.start):m.start]
            clause_rest = text[m.end:clause_end(text, m.end)]
            if not (WITH.search(before) and any(c in clause_rest for c in self.cues)):
                continue
            s_start, _ = lay.sentence(m.start)
            partners = [j for j, p in live(doc) if s_start <= p.start and p.end <= m.start
                        and found[resolved(doc, j)].label == "PARTNER"]
            if partners:
                out.append(Relation("PARTNERS_WITH", unit, resolved(doc, partners[-1]), m.start, m.end,
                                    "partnership_finder:partner_first"))
