"""WORKS_AT: a person and the unit or organisation named just before their title.

person_finder keeps where a title ends; the unit is the mention (a name or an
anaphor such as 该分公司) that ends where the title phrase begins:
沿江大道邮政营业所|理财经理|钟雨桐, 该公司|柑橘收购组组长|李敏, and in a
byline □吉林省分行|党委书记、行长 林国华.
"""
from __future__ import annotations

import re

from spacy.language import Language

from kg.nlp.mentions import Relation, layout, live, mentions, relations, resolved

TITLE = re.compile(r"^[\u4e00-\u9fff、]{1,16}$")


@Language.factory("kg_works_at_finder", assigns=["doc._.kg_relations"], requires=["doc._.kg_mentions"])
def make_works_at_finder(nlp, name):
    return WorksAtFinder()


class WorksAtFinder:
    def __call__(self, doc):
        text = layout(doc).text
        found = mentions(doc)
        out = relations(doc)
        orgs = [(i, m) for i, m in live(doc) if m.label in ("BRANCH", "PARTNER")]
        for p, person in live(doc):
            if person.label != "PERSON":
                continue
            title_end = person.info.get("title_end")
            if title_end is None:
                continue
            for i, org in reversed(orgs):
                if org.end > person.start:
                    continue
                title = text[org.end:title_end].strip()
                if org.end <= title_end and TITLE.match(title):
                    target = resolved(doc, i)
                    if found[target].label in ("BRANCH", "PARTNER"):
                        out.append(Relation("WORKS_AT", p, target, org.start, person.end,
                                            "works_at_finder:" + person.rule.split(":")[-1], title=title))
                break
        return doc
