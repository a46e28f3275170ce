"""Declared short names: 安徽省农业信贷融资担保有限公司（以下简称“安徽农担”）.

The short form is a mention of the entity named just before the bracket, and
so is every later use of it in the article.
"""
from __future__ import annotations

import re

from spacy.language import Language

from kg.nlp.mentions import Mention, layout, mentions

DECLARATION = re.compile(r"[（(](?:以下)?(?:简称|下称)[“\"]?(?P<alias>[^”\"）)，,]{2,12})[”\"]?[）)]")


@Language.factory("kg_alias_finder", assigns=["doc._.kg_mentions"], requires=["doc._.kg_mentions"])
def make_alias_finder(nlp, name):
    return AliasFinder()


class AliasFinder:
    def __call__(self, doc):
        text = layout(doc).text
        found = mentions(doc)
        for m in DECLARATION.finditer(text):
            owner = next((i for i, x in enumerate(found) if x.end == m.start() and not x.dropped), None)
            if owner is None:
                continue
            alias = m.group("alias")
            label = found[owner].label
            s = m.start("alias")
            found.append(Mention(s, s + len(alias), label, alias, "alias_finder:declared",
                                 kind="alias", refers=owner))
            for later in re.finditer(re.escape(alias), text[m.end():]):
                ls = m.end() + later.start()
                found.append(Mention(ls, ls + len(alias), label, alias, "alias_finder:use",
                                     kind="alias", refers=owner))
        return doc
