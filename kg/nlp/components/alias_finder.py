"""Declared short names: 安徽省农业信贷融资担保有限公司（以下简称“安徽农担”）.

The short form is a mention of the entity named just before the bracket, and
so is every later use of it in the article.
"""
from __future__ import annotations

import re

from spacy.language import Language

from kg.nlp.mentions import Mention, layout, mentions

COLLECTIVE = ("邮银",)
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
            # 某省邮政分公司和邮储银行某省分行（以下简称“某省邮银”）: a name for the
            # two networks together is an entity of its own, not the last unit's alias.
            collective = alias.endswith(COLLECTIVE) and label == "BRANCH"
            kind, refers = ("name", None) if collective else ("alias", owner)
            info = {"collective": "邮银"} if collective else {}
            found.append(Mention(s, s + len(alias), label, alias, "alias_finder:declared",
                                 kind=kind, refers=refers, info=info))
            first = len(found) - 1
            _, a_end = layout(doc).article(m.start())
            for later in re.finditer(re.escape(alias), text[m.end():a_end]):
                ls = m.end() + later.start()
                found.append(Mention(ls, ls + len(alias), label, alias, "alias_finder:use",
                                     kind="alias", refers=first if collective else owner))
        return doc
