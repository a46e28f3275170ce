"""RUNS and OFFERS: a unit runs the programmes and offers the products it names.

A report names a unit's campaigns and products as it tells what the unit
does, so a PROGRAM (PRODUCT) mention links to the unit acting at that point
(kg.nlp.actors) when
- a verb of running (offering) from config/relation_cues.jsonl stands before it
  in its clause (开展“…”, 推出…产品, 基于“邮e链”平台), or
- it is the programme's first mention in the article (introduced as the unit's).
Not linked: a programme of a place or the state (自治区“滩羊提质”工程, 国家储备林
项目), one whose sentence has an outside body as its subject (省摄影家协会将开展…),
nationally known products without a verb, and tools a unit uses inside
(config/internal_products.txt: …系统, …预警) as OFFERS. An event named with its
organiser (某集团有限公司第三届某大赛) is run by that organiser; a unit joined by
联合/携手 to the subject runs it too. 本次竞赛由A、B承办: the units named as its
organisers run the event the article named (the programme called a 竞赛, or the
one a 竞赛 was written just after).
"""
from __future__ import annotations

import re

from spacy.language import Language

from kg.lexicon import cues as cue_words
from kg.lexicon import word_list
from kg.nlp.actors import actors, clause_start
from kg.nlp.mentions import Relation, layout, live, live_in, mentions, relations, resolved

LINKS = {"PROGRAM": "RUNS", "PRODUCT": "OFFERS"}
# Whose programme it is, written right before it: a place or the state.
OWNED_BY_PLACE = re.compile(r"(?:国家|全国|自治区|自治州|省|市|县|区|政府|中央)[“”]?$")
JOINED = re.compile(r"(?:联合|携手|会同|协同)$")
THIS_EVENT = re.compile(r"(?:本次|此次|这次|本届|该)(?P<kind>[\u4e00-\u9fff]{2,3}?)由(?P<who>[^，。；！？]{2,60}?)"
                        r"(?:联合|共同|具体|负责)*(?:主办|承办|举办|组织|实施|发起|牵头)")


# The kind written after a quoted name, up to where its phrase ends (“某某”客户经营系统，).
KIND_AFTER = re.compile(r"[\u4e00-\u9fff]{1,8}?(?=[，。；、！？：\s]|$|和|及|与|等|的)")


@Language.factory(
    "kg_program_link_finder",
    assigns=["doc._.kg_relations"],
    requires=["doc._.kg_mentions"],
    default_config={"cues": "config/relation_cues.jsonl", "internal": "config/internal_products.txt"},
)
def make_program_link_finder(nlp, name, cues, internal):
    return ProgramLinkFinder(cues, internal)


class ProgramLinkFinder:
    def _internal_kind(self, text, end) -> bool:
        """The kind written after a quoted name ends like an internal tool's (“某某”调度系统)."""
        if not text.startswith(("”", "’"), end):
            return False
        kind = KIND_AFTER.match(text, end + 1)
        return bool(kind) and kind.group().endswith(self.internal)

    def __init__(self, cues, internal):
        self.cues = {rel: cue_words(cues, rel) for rel in LINKS.values()}
        self.internal = tuple(word_list(internal))

    def __call__(self, doc):
        text = layout(doc).text
        lay = layout(doc)
        out = relations(doc)
        found = mentions(doc)
        introduced = set()
        for i, m in live(doc):
            rel = LINKS.get(m.label)
            if rel is None or m.kind == "anaphor":
                continue
            target = resolved(doc, i)
            key = (lay.article_index(m.start), target)
            first = key not in introduced  # introduced in this article
            introduced.add(key)
            if rel == "OFFERS" and (found[target].text.endswith(self.internal) or self._internal_kind(text, m.end)):
                continue  # a tool used inside (某某风控系统, “某某”客户经营系统), offered to nobody
            owner = m.info.get("owner")
            if owner is not None:
                out.append(Relation(rel, resolved(doc, owner), target, m.start, m.end, "program_link_finder:organiser"))
                continue
            c_start = clause_start(text, m.start)
            lead = text[c_start:m.start]
            cued = any(cue in lead for cue in self.cues.get(rel, ()))
            if not cued and not (first and m.rule.startswith(("quoted_name_finder", "named_item_finder:launch",
                                                               "named_item_finder:mechanism", "named_item_finder:event"))):
                continue
            if OWNED_BY_PLACE.search(text, max(0, m.start - 4), m.start):
                continue  # 围绕自治区“滩羊提质”工程: the region's programme
            if self._outside_subject(doc, lay, text, m.start):
                continue
            acting = actors(doc, lay, m.start)
            acting += [a for a in self._joined(doc, text, c_start, m.start) if a not in acting]
            for actor in acting:
                out.append(Relation(rel, actor, target, m.start, m.end, f"program_link_finder:{rel.lower()}"))
        self._organisers(doc, lay, text, out)
        return doc

    @staticmethod
    def _organisers(doc, lay, text, out):
        """本次竞赛由某分公司人力资源部、某事业部具体承办: those units run the article's 竞赛."""
        found = mentions(doc)
        for m in THIS_EVENT.finditer(text):
            kind = m.group("kind")
            a_start, _ = lay.article(m.start())
            programs = [(i, p) for i, p in live_in(doc, a_start, m.start()) if p.label == "PROGRAM"]
            event = next((resolved(doc, i) for i, p in reversed(programs) if found[resolved(doc, i)].text.endswith(kind)),
                         None)
            if event is None:  # “某某计划”新员工入职培训: the programme a 培训 follows
                event = next((resolved(doc, i) for i, p in reversed(programs)
                              if kind in text[p.end:p.end + 12].split("，")[0]), None)
            if event is None:
                continue
            a, b = m.span("who")
            for i, u in live_in(doc, a, b):
                if found[resolved(doc, i)].label == "BRANCH":
                    out.append(Relation("RUNS", resolved(doc, i), event, m.start(), m.end(),
                                        "program_link_finder:organiser_of_this"))

    @staticmethod
    def _outside_subject(doc, lay, text, pos):
        """The sentence's first organisation before pos is an outside body, not governed
        by 与/联合: it, not a unit, is doing this (省摄影家协会将联合…开展…)."""
        s_start, _ = lay.sentence(pos)
        found = mentions(doc)
        for i, m in live_in(doc, s_start, pos):
            if m.label not in ("BRANCH", "PARTNER"):
                continue
            if found[resolved(doc, i)].label != "PARTNER":
                return False
            lead = text[clause_start(text, m.start):m.start]
            return not re.search(r"(?:与|同|和|跟|为|向|给|对|联合|携手|配合|在|由)$", lead)
        return False

    @staticmethod
    def _joined(doc, text, c_start, pos):
        """联合邮储银行某省分行开展…: the unit joined to the subject runs it too."""
        found = mentions(doc)
        out = []
        for i, m in live_in(doc, c_start, pos):
            if found[resolved(doc, i)].label == "BRANCH" and JOINED.search(text, max(0, m.start - 3), m.start):
                out.append(resolved(doc, i))
        return out
