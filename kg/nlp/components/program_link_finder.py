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
联合/携手 to the subject runs it too.
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


@Language.factory(
    "kg_program_link_finder",
    assigns=["doc._.kg_relations"],
    requires=["doc._.kg_mentions"],
    default_config={"cues": "config/relation_cues.jsonl", "internal": "config/internal_products.txt"},
)
def make_program_link_finder(nlp, name, cues, internal):
    return ProgramLinkFinder(cues, internal)


class ProgramLinkFinder:
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
            if rel == "OFFERS" and found[target].text.endswith(self.internal):
                continue  # a tool used inside (某某风控系统), offered to nobody
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
        return doc

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
