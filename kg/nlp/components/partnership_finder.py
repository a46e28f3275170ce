"""PARTNERS_WITH: a unit works with an outside organisation.

Stated as 与/同/跟 + organisation + a verb of cooperation (与浙江省人社局合作,
与省人社局开展全面合作), or a cooperation verb right before the organisation
(配合省人社局, 携手…, 联合…), or with the organisation first
(湖北医保局与湖北省分行签订合作协议), or as a client (某某公司是某县邮政分公司的
仓配合作客户); cues from config/relation_cues.jsonl.
"""
from __future__ import annotations

import re

from spacy.language import Language

from kg.nlp.actors import actors, clause_end, clause_start
from kg.lexicon import cues as cue_words
from kg.nlp.mentions import Relation, layout, live, mentions, relations, resolved

WITH = re.compile(r"(?:与|同|跟|和)(?:[\u4e00-\u9fff]{0,2})$")
STRICT_WITH = re.compile(r"(?:与|同|跟)(?:[^，。；！？]{0,8}(?:平台|公司|企业|机构))?[“\"]?$")
# A bracketed foreign name or short name right after the partner is still its name.
BRACKETED = re.compile(r"\s*[（(][^（）()]{1,60}[）)]")
# 由某分公司、某协会联合主办: the units among the organisers run it, with the others.
# 某公司是某分公司的大客户 / 长期合作伙伴: what is between the unit and the word.
CLIENT_OF = re.compile(r"的[\u4e00-\u9fff]{0,8}(?:客户|合作伙伴|合作单位|合作企业)")
COUNTED_WITH = re.compile(r"(?:与|同|和)[^，。；！？]{0,6}?(?:\d+|[一二三四五六七八九十两]+|多)(?:家|个|所)")
ORGANISED = re.compile(r"由(?P<who>[^，。；！？]{2,60}?)(?:联合|共同)?(?:主办|承办|举办|组织|实施|发起|牵头|运营|开通|运行)")


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
        listed = {}  # end offset of a partner taken → True, for lists (与A、B联合举办: B too)
        found = mentions(doc)
        for i, m in live(doc):
            target = resolved(doc, i)
            if found[target].label != "PARTNER":
                continue
            before = text[clause_start(text, m.start):m.start]
            after = m.end
            bracket = BRACKETED.match(text, after)
            after = bracket.end() if bracket else after
            clause_rest = text[after:clause_end(text, after)]
            # 与某局建立…, 与某海关三方联动: with 与/同/跟, whatever they do together;
            # with 和 (also a plain "and"), only with a verb of cooperation.
            with_form = (STRICT_WITH.search(before) and clause_rest.strip() != "") or \
                (WITH.search(before) and any(c in clause_rest for c in self.cues))
            verb_form = any(before.endswith(c) for c in self.cues)
            list_form = before.endswith(("、", "和", "及")) and listed.get(m.start - 1)
            among_form = before.strip() == "其中" and self._among(text, lay, clause_start(text, m.start))
            if not (with_form or verb_form or list_form or among_form):
                continue
            listed[m.end] = True
            rule = "with" if with_form else "verb" if verb_form else "list" if list_form else "among"
            for actor in actors(doc, lay, m.start):
                out.append(Relation("PARTNERS_WITH", actor, target, m.start, m.end, "partnership_finder:" + rule))
        self._co_organisers(doc, text, lay, out)
        self._partner_first(doc, lay, out)
        self._client_of(doc, text, out)
        return doc

    def _among(self, text, lay, c_start) -> bool:
        """与12家合作社、电商企业签订寄递服务协议，其中某合作社…: one of the organisations the
        unit has just agreed with, in the same sentence."""
        s_start, _ = lay.sentence(c_start)
        lead = text[s_start:c_start]
        group = COUNTED_WITH.search(lead)
        return bool(group) and any(c in lead[group.start():] for c in self.cues)

    @staticmethod
    def _client_of(doc, text, out):
        """某公司是某县邮政分公司的仓配合作客户: the unit serves the organisation under an arrangement."""
        found = mentions(doc)
        items = live(doc)
        for n, (i, m) in enumerate(items):
            if found[resolved(doc, i)].label != "PARTNER" or not text.startswith("是", m.end):
                continue
            nxt = items[n + 1] if n + 1 < len(items) else None
            if nxt is None or nxt[1].start != m.end + 1:
                continue
            unit = resolved(doc, nxt[0])
            if found[unit].label == "BRANCH" and CLIENT_OF.match(text, nxt[1].end):
                out.append(Relation("PARTNERS_WITH", unit, resolved(doc, i), m.start, nxt[1].end,
                                    "partnership_finder:client_of"))

    def _co_organisers(self, doc, text, lay, out):
        """由A分公司、B协会联合主办…: A works with B; 由B协会组织 (a unit's plan): the actor works with B."""
        found = mentions(doc)
        for m in ORGANISED.finditer(text):
            a, b = m.span("who")
            inside = [(i, x) for i, x in live(doc) if a <= x.start and x.end <= b]
            # A unit written right before its own department names where the department is.
            units = [resolved(doc, i) for n, (i, x) in enumerate(inside) if found[resolved(doc, i)].label == "BRANCH"
                     and not (n + 1 < len(inside) and inside[n + 1][1].start == x.end)]
            partners = [resolved(doc, i) for i, x in inside if found[resolved(doc, i)].label == "PARTNER"]
            if not partners:
                continue
            heads = units or actors(doc, lay, m.start())
            for unit in heads:
                for partner in partners:
                    out.append(Relation("PARTNERS_WITH", unit, partner, m.start(), m.end(),
                                        "partnership_finder:co_organiser"))

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
