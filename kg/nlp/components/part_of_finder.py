"""PART_OF: one unit stated to belong to another.

Two unit names written back to back (硚口区邮政分公司古田三路邮政网点: the second
is part of the first) or joined by 下辖/所属/旗下 (…分公司下辖的…网点).
"""
from __future__ import annotations

import re

from spacy.language import Language

from kg.nlp.mentions import Relation, layout, live, relations, resolved

UNDER = re.compile(r"^(?:下辖|所属|旗下|辖内|下属)的?$")


@Language.factory("kg_part_of_finder", assigns=["doc._.kg_relations"], requires=["doc._.kg_mentions"])
def make_part_of_finder(nlp, name):
    return PartOfFinder()


class PartOfFinder:
    def __call__(self, doc):
        text = layout(doc).text
        out = relations(doc)
        units = [(i, m) for i, m in live(doc) if m.label == "BRANCH"]
        for (i, a), (j, b) in zip(units, units[1:]):
            gap = text[a.end:b.start]
            # Back to back only for names (该分公司凤岗支局 is not written); 下辖 for both.
            if (gap == "" and a.kind != "anaphor") or UNDER.match(gap):
                parent, child = resolved(doc, i), resolved(doc, j)
                if parent != child:
                    out.append(Relation("PART_OF", child, parent, a.start, b.end,
                                        "part_of_finder:" + ("adjacent" if gap == "" else "under")))
        return doc
