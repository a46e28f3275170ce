"""Declared other names: 某省农业信贷融资担保有限公司（以下简称“某省农担”）.

What a bracket right after a name declares is another name of the same
entity: a short form (以下简称/下称 “…”), the full name (全称 “…”), or the name
in Latin letters (某国邮政股份公司（Xpost，以下简称…）, 某某物流公司（Eida
Logistik GmbH）). A declared short form is also a mention wherever it is used
later in the article.
"""
from __future__ import annotations

import re

from spacy.language import Language

from kg.nlp.mentions import Mention, layout, mentions

COLLECTIVE = ("邮银",)
LATIN = r"(?P<latin>[A-Za-z][A-Za-z0-9 .&'\-]{1,60}?)"
DECLARATION = re.compile(rf"[（(](?:{LATIN}[，,]\s*)?(?:以下)?(?:简称|下称)[“\"]?(?P<alias>[^”\"）)，,]{{2,12}})[”\"]?[）)]")
FULL_NAME = re.compile(r"[（(]全称[“\"]?(?P<full>[^”\"）)，,]{4,40})[”\"]?[）)]")
LATIN_NAME = re.compile(rf"[（(]\s*{LATIN}\s*[）)]")


@Language.factory("kg_alias_finder", assigns=["doc._.kg_mentions"], requires=["doc._.kg_mentions"])
def make_alias_finder(nlp, name):
    return AliasFinder()


class AliasFinder:
    def __call__(self, doc):
        text = layout(doc).text
        found = mentions(doc)
        self._other_names(text, found)
        for m in DECLARATION.finditer(text):
            owner = next((i for i, x in enumerate(found) if x.end == m.start() and not x.dropped), None)
            if owner is None:
                continue
            if m.group("latin"):
                self._declare(found, owner, m.start("latin"), m.group("latin").strip())
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

    def _other_names(self, text, found):
        """（全称“…”） and （Latin name） right after an organisation's name."""
        for rx, group in ((FULL_NAME, "full"), (LATIN_NAME, "latin")):
            for m in rx.finditer(text):
                owner = next((i for i, x in enumerate(found) if x.end == m.start() and not x.dropped
                              and x.label in ("BRANCH", "PARTNER", "PRODUCT")), None)
                if owner is not None:
                    self._declare(found, owner, m.start(group), m.group(group).strip())

    @staticmethod
    def _declare(found, owner, start, name):
        found.append(Mention(start, start + len(name), found[owner].label, name, "alias_finder:other_name",
                             kind="alias", refers=owner))
