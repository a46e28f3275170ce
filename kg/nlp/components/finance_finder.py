"""FINANCES: a unit lends to, or grants credit to, a client or a project.

Runs after works_at_finder, whose WORKS_AT tells whose words a quote is.

Stated as 为/向/给/对 before the client or project (or 该项目, 该公司) in its
clause and a verb of financing after it in the clause by a verb of financing (授信, 发放…贷款, 融资); cues from
config/relation_cues.jsonl.
"""
from __future__ import annotations

import re

from spacy.language import Language

from kg.nlp.actors import LOAN_GOT, actors, clause_end, clause_start
from kg.lexicon import cues as cue_words
from kg.nlp.mentions import Relation, layout, live, mentions, relations, resolved

TO = re.compile(r"(?:为|向|给|对|帮助)")
TO_IT = re.compile(r"(?:为|向|给|对)其")
WE = re.compile(r"(?:为|向|给|帮)(?P<we>我们|我公司|我社|我厂|我们公司|我们合作社)")
# A body named by its kind alone at its clause's start (今年合作社从…): the one of that kind named before.
BARE_KIND = re.compile(r"(?:^|今年|去年|当年|目前|如今|近日)(?P<kind>合作社|家庭农场|农场|公司|企业)$")
SAID = re.compile(r"(?:说|表示|介绍|感慨|坦言|告诉记者)[：:]")


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
        listed = set()  # ends of clients taken: 为某项目、某项目等…审批贷款 lists them all
        for i, m in live(doc):
            target = resolved(doc, i)
            if doc._.kg_mentions[target].label not in ("PARTNER", "PROGRAM"):
                continue
            before = text[clause_start(text, m.start):m.start]
            in_list = before.endswith(("、", "和", "及")) and m.start - 1 in listed
            if not TO.search(before) and not in_list:
                continue
            clause_rest = text[m.end:clause_end(text, m.end)]
            if not any(c in clause_rest for c in self.cues):
                continue
            listed.add(m.end)
            for actor in actors(doc, lay, m.start):
                out.append(Relation("FINANCES", actor, target, m.start, m.end, "finance_finder:to"))
        self._to_it(doc, text, lay, out)
        self._speaker_we(doc, text, lay, out)
        self._borrowed_from(doc, text, lay, out)
        return doc

    def _borrowed_from(self, doc, text, lay, out):
        """某合作社从某支行获得了80万元订单贷款 (or, after it was named, 今年合作社从…): the
        client is the body before 从 — named there, or by its bare kind pointing back to the
        body of that kind named last in the paragraph or just before it."""
        found = mentions(doc)
        items = live(doc)
        for k, (i, lender) in enumerate(items):
            if found[resolved(doc, i)].label != "BRANCH" or not text.endswith("从", 0, lender.start):
                continue
            rest = text[lender.end:clause_end(text, lender.end)]
            got = LOAN_GOT.search(rest)
            if got is None or not any(c in rest[got.end():] for c in self.cues):
                continue
            before = text[clause_start(text, lender.start):lender.start - 1]
            client = None
            prev = items[k - 1][1] if k else None
            if prev is not None and prev.end == lender.start - 1 and found[resolved(doc, items[k - 1][0])].label == "PARTNER":
                client = resolved(doc, items[k - 1][0])
            else:
                kind = BARE_KIND.search(before)
                p_start, _ = lay.paragraph(lender.start)
                if kind is not None:
                    client = next((resolved(doc, j) for j, x in reversed(items[:k])
                                   if x.start >= p_start and found[resolved(doc, j)].label == "PARTNER"
                                   and found[resolved(doc, j)].text.endswith(kind.group("kind"))), None)
            if client is not None:
                out.append(Relation("FINANCES", resolved(doc, i), client, lender.start, lender.end,
                                    "finance_finder:borrowed_from"))

    def _to_it(self, doc, text, lay, out):
        """与某公司签署协议，将为其提供200亿元授信: 其 is the client named before it in the sentence."""
        found = mentions(doc)
        for m in TO_IT.finditer(text):
            clause_rest = text[m.end():clause_end(text, m.end())]
            if not any(c in clause_rest for c in self.cues):
                continue
            s_start, _ = lay.sentence(m.start())
            client = next((resolved(doc, i) for i, x in reversed(live(doc))
                           if s_start <= x.start and x.end <= m.start()
                           and found[resolved(doc, i)].label == "PARTNER"), None)
            if client is None:
                continue
            for actor in actors(doc, lay, m.start()):
                out.append(Relation("FINANCES", actor, client, m.start(), m.end(), "finance_finder:to_it"))

    def _speaker_we(self, doc, text, lay, out):
        """“…为我们发放了1000万元贷款…”: in a client's words, 我们 is the speaker's organisation.

        The speaker is the person named before 说：/表示： and the quote; their
        organisation comes from the WORKS_AT found for them.
        """
        found = mentions(doc)
        employer = {r.head: r.tail for r in out if r.type == "WORKS_AT" and found[r.tail].label == "PARTNER"}
        for m in WE.finditer(text):
            pos = m.start("we")
            clause_rest = text[m.end():clause_end(text, m.end())]
            if not any(c in clause_rest for c in self.cues):
                continue
            p_start, _ = lay.paragraph(pos)
            opening = text.rfind("“", p_start, pos)
            said = SAID.search(text, max(p_start, opening - 8), opening) if opening > 0 else None
            if said is None or said.end() != opening:
                continue  # the quote is nobody's words (no 说： right before it)
            speaker = next((i for i, x in reversed(live(doc))
                            if x.label == "PERSON" and x.end <= said.start() and x.start >= p_start), None)
            org = employer.get(speaker)
            if org is None:
                continue
            for actor in actors(doc, lay, pos):
                out.append(Relation("FINANCES", actor, org, pos, m.end(), "finance_finder:speaker_we"))
