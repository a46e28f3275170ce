"""Settle what each mention stands for: overlaps, anaphora and level names.

- Overlapping mentions: the longer wins (邮储银行湖北省宜昌市夷陵区支行 over a
  partner read inside it); on equal spans a declared or quoted name wins.
- Anaphora (config/anaphora.jsonl): 该分公司 points to the last unit whose name
  ends in 分公司 earlier in the article, 该项目 to the last project.
- Level names: 县分公司 / 省人社局 point to the article's unit with that
  suffix at that level (秭归县分公司; 湖北省人力资源和社会保障厅 for 省人社厅, by the short
  forms of config/abbreviations.jsonl); with none, they stand for themselves.
"""
from __future__ import annotations

import bisect
import re

from spacy.language import Language

from kg.lexicon import abbreviator, jsonl
from kg.nlp.actors import mark_ranked
from kg.nlp.mentions import Mention, layout, mentions, mentions_changed

LABEL_RANK = {"BRANCH": 0, "PARTNER": 1, "PROGRAM": 2, "PRODUCT": 3, "PERSON": 4}


@Language.factory(
    "kg_mention_resolver",
    assigns=["doc._.kg_mentions"],
    requires=["doc._.kg_mentions"],
    default_config={"anaphora": "config/anaphora.jsonl", "abbreviations": "config/abbreviations.jsonl"},
)
def make_mention_resolver(nlp, name, anaphora, abbreviations):
    return MentionResolver(anaphora, abbreviations)


class MentionResolver:
    def __init__(self, anaphora, abbreviations):
        self.short = abbreviator(abbreviations)
        self.anaphora = {row["text"]: row for row in jsonl(anaphora, ("text", "label", "ends"))}
        words = sorted(self.anaphora, key=len, reverse=True)
        self.anaphor_re = re.compile("|".join(map(re.escape, words))) if words else None

    def __call__(self, doc):
        found = mentions(doc)
        self._drop_overlaps(doc, found)
        mark_ranked(layout(doc).text, found)
        lay = layout(doc)
        if self.anaphor_re:
            self._anaphora(lay, lay.text, found)
        self._levels(lay, found)
        return doc

    def _drop_overlaps(self, doc, found):
        order = sorted(range(len(found)), key=lambda i: (
            -(found[i].end - found[i].start), found[i].kind != "alias", not found[i].info.get("quoted"),
            LABEL_RANK.get(found[i].label, 9), found[i].start))
        # Kept spans never overlap each other, so sorted by start each new one need
        # only be checked against its two neighbours.
        starts: list[int] = []
        ends: list[int] = []
        for i in order:
            m = found[i]
            k = bisect.bisect_left(starts, m.start)
            if (k > 0 and ends[k - 1] > m.start) or (k < len(starts) and starts[k] < m.end):
                m.dropped = True
                continue
            starts.insert(k, m.start)
            ends.insert(k, m.end)
        mentions_changed(doc)

    def _anaphora(self, lay, text, found):
        standing = sorted((m.start, m.end, i) for i, m in enumerate(found) if not m.dropped)
        starts = [x[0] for x in standing]
        max_len = max((e - s for s, e, _ in standing), default=0)
        for a in self.anaphor_re.finditer(text):
            s, e = a.span()
            k = bisect.bisect_left(starts, e)
            if any(st < e and s < en for st, en, _ in standing[bisect.bisect_left(starts, s - max_len):k]):
                continue  # part of a name (该分公司 inside nothing; 本次培训班 inside a title…)
            row = self.anaphora[a.group()]
            target = self._antecedent(found, standing, starts, lay.article(s)[0], s, row)
            found.append(Mention(s, e, row["label"], a.group(), "mention_resolver:anaphor",
                                 kind="anaphor", refers=target, dropped=target is None))

    @staticmethod
    def _antecedent(found, standing, starts, floor, pos, row):
        """The last name of the anaphor's kind before it in its article."""
        ends = row["ends"]
        for _, _, i in reversed(standing[bisect.bisect_left(starts, floor):bisect.bisect_left(starts, pos)]):
            m = found[i]
            if m.label != row["label"] or m.kind == "anaphor":
                continue
            # A unit's kind is its suffix (该行 is no 人力资源部 of a 分行); other
            # kinds may also hold the word (该项目 → 某某项目（二期）).
            if ends and not any(m.text.endswith(x) or (m.label != "BRANCH" and x in m.text) for x in ends):
                continue
            return i
        return None

    def _levels(self, lay, found):
        levels_wanted = [i for i, m in enumerate(found) if m.kind == "level" and not m.dropped]
        if not levels_wanted:
            return
        # Named units by their words after the places (same_body), so each level
        # name looks only at the units it could stand for.
        by_body: dict = {}
        for j, other in enumerate(found):
            ou = other.info.get("unit")
            if not other.dropped and other.kind == "name" and ou is not None and ou.divisions:
                by_body.setdefault((other.label, self.short(ou.local + ou.suffix)), []).append(j)
        for i in levels_wanted:
            m = found[i]
            unit = m.info.get("unit")
            if unit is None:
                continue
            candidates = []
            a_start, a_end = lay.article(m.start)
            for j in by_body.get((m.label, self.short(unit.local + unit.suffix)), ()):
                other = found[j]
                ou = other.info.get("unit")
                if j == i or not a_start <= other.start < a_end:
                    continue  # 县分公司 is the county company of its own article
                levels = [d.level for d in ou.divisions if d is not None]
                if levels and levels[-1] == unit.level:
                    candidates.append(j)
            if candidates:
                # The nearest one before it, else the first after it.
                before = [j for j in candidates if found[j].start < m.start]
                m.refers = max(before, key=lambda j: found[j].start) if before else candidates[0]
