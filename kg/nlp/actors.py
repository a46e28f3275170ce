"""Who is acting at a point of an article: the unit a sentence is about.

Chinese news prose states the acting unit once and then drops it (秭归县分公司
…，积极打造…，在全市…组织“周五惠民日”…), or refers back with 该分公司, or
names it after a quoted remark (“…做好‘一站式服务’…”3月23日，在秭归县九畹邮政营业所
的夕会上). So the actor for a position is, in order: the subject of its sentence
(the first unit before it in the sentence, with units joined to it by 和/与/、:
浙江省邮政分公司和邮储银行浙江省分行), the nearest unit before it in its paragraph, the first after it in its
paragraph, and finally the last unit named earlier in the article.
"""
from __future__ import annotations

import re

from kg.nlp.mentions import Layout, layout, live, live_before, live_in, mentions, resolved

COORDINATORS = {"和", "与", "及", "、", "以及", "同", "暨"}
UNDER = re.compile(r"(?:下辖|所辖|所属|旗下|下属)的?")
# Verbs of getting a loan (某合作社从某支行获得了80万元贷款, 通过“某贷”拿到20万元).
LOAN_GOT = re.compile(r"(?:获得|拿到|贷到|申请到|获批|借到)了?")
# A unit right after these is an object or a place, not the subject of its clause.
GOVERNED = re.compile(r"(?:与|同|和|跟|为|向|给|对|及|、|联合|携手|配合|在|由|从|到|至|赴|列|位列)$")


# The end of a speaker's words before what they report (某某介绍，…).
SAID = re.compile(r"(?:介绍|表示|说|指出|透露|强调|坦言)[，：:]")


# A unit named in a ranking (新增余额列某市邮政第1位, 位居全区前列) is the yardstick,
# not the actor of what follows.
RANKED_BEFORE = re.compile(r"(?:列|位列|位居|居|排名|排)$")
RANKED_AFTER = re.compile(r"第\s*\d|前\s*\d|前[一二三四五六七八九十]|首位|前列")


def _usable(m, labels):
    return not m.dropped and m.label in labels and not m.info.get("ranked")


def mark_ranked(text, found):
    """Flag unit mentions that only serve as the yardstick of a ranking."""
    for m in found:
        if m.label == "BRANCH" and RANKED_BEFORE.search(text, max(0, m.start - 2), m.start) \
                and RANKED_AFTER.match(text, m.end):
            m.info = dict(m.info, ranked=True)


def actors(doc, layout: Layout, pos: int, labels=("BRANCH",), *, stop_at=None) -> list[int]:
    """Resolved mention indexes of the unit(s) acting at `pos`; [] when none is in sight."""
    s_start, _ = layout.sentence(pos)
    p_start, p_end = layout.paragraph(pos)
    in_sentence = [(i, m) for i, m in live_in(doc, s_start, pos) if _usable(m, labels)]
    text = layout.text
    c_start = clause_start(text, pos)
    in_clause = [(i, m) for i, m in in_sentence if m.start >= c_start
                 and not GOVERNED.search(text, max(c_start, m.start - 4), m.start)]
    if in_clause and in_clause[0][0] != in_sentence[0][0]:
        # 某部门总经理某某表示，该行将建立…: the clause names its own subject.
        return _subject(doc, in_clause)
    said = None
    for said in SAID.finditer(text, s_start, c_start):
        pass
    reported = [(i, m) for i, m in in_sentence if said is not None and m.start >= said.end()
                and not GOVERNED.search(text, max(s_start, m.start - 4), m.start)]
    if reported:
        # 某部门总经理某某介绍，该行还依托…，为某公司提供…: what is said has its own subject.
        return _subject(doc, reported)
    if in_sentence:
        # The sentence's subject: its first unit, and any joined to it.
        return _subject(doc, in_sentence)
    in_paragraph = [(i, m) for i, m in live_in(doc, p_start, pos) if _usable(m, labels)]
    if in_paragraph:
        return _with_coordinated(doc, in_paragraph)
    after = [(i, m) for i, m in live_in(doc, pos, p_end) if _usable(m, labels)]
    if after:
        return [resolved(doc, after[0][0])]
    a_start, _ = layout.article(pos)
    for i, m in reversed(live_before(doc, pos)):
        if m.start < a_start:
            break  # the last unit named earlier in the article, not in the one before
        if m.end <= pos and _usable(m, labels):
            return [resolved(doc, i)]
    return []


def _subject(doc, candidates):
    """The first candidate, plus those joined to it by a coordinator."""
    text = layout(doc).text
    # …分行下辖的宜昌市分行开展…: the parent only places the subject.
    while len(candidates) > 1 and (UNDER.fullmatch(gap := text[candidates[0][1].end:candidates[1][1].start])
                                   or gap == ""):
        candidates = candidates[1:]  # …分公司丁河营业所: the unit inside is the one acting
    if len(candidates) > 1 and text[candidates[0][1].end:candidates[1][1].start] in ("由", "由其"):
        candidates = candidates[1:]  # 该中心由某县分公司牵头…: the agent after 由 acts
    chosen = [candidates[0]]
    for i, m in candidates[1:]:
        if text[chosen[-1][1].end:m.start] in COORDINATORS:
            chosen.append((i, m))
        else:
            break
    if len(chosen) > 1:
        # 某省邮政分公司和邮储银行某省分行（以下简称“某省邮银”）: the pair acts as its collective name.
        last = chosen[-1][1]
        collective = next((k for k, x in enumerate(mentions(doc)) if x.info.get("collective") == "邮银"
                           and not x.dropped and 0 <= x.start - last.end <= 8), None)
        if collective is not None:
            return [collective] + _unique(doc, chosen)
    return _unique(doc, chosen)


def _unique(doc, chosen):
    out = []
    for i, _ in chosen:
        r = resolved(doc, i)
        if r not in out:
            out.append(r)
    return out


def _with_coordinated(doc, candidates):
    """The last candidate, plus those joined to it by a coordinator."""
    text = layout(doc).text
    chosen = [candidates[-1]]
    for i, m in reversed(candidates[:-1]):
        gap = text[m.end:chosen[-1][1].start]
        if gap in COORDINATORS:
            chosen.append((i, m))
        else:
            break
    return _unique(doc, chosen)


def clause_start(text: str, pos: int) -> int:
    """Start of the clause holding pos (after the last ，；。！？： or line break)."""
    i = pos
    while i > 0 and text[i - 1] not in "，；。！？：\n,;!?:":
        i -= 1
    return i


def clause_end(text: str, pos: int) -> int:
    """End of the clause holding pos (the next ，；。！？ or line break)."""
    m = _CLAUSE_BREAK.search(text, pos)
    return m.start() if m else len(text)


_CLAUSE_BREAK = re.compile(r"[，；。！？\n]")


def mention_at(doc, pos: int):
    """Index of the live mention covering pos, or None."""
    for i, m in enumerate(mentions(doc)):
        if not m.dropped and m.start <= pos < m.end:
            return i
    return None
