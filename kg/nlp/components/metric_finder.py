"""Metrics: a reported figure, the entity it is about, what it measures, and when.

For every figure with a unit (57.76亿元, 47.01万人次, 7.7%, 10个):
- value: exact Decimal in base units (亿 = 1e8, 万 = 1e4; percent as a number);
- unit kind from config/units.jsonl decides where its name is: before the
  figure for money and measures (新增余额57.76亿元), after it for counts
  (10个产业的研究报告); time units (年, 天) and ordinals (第1位) are no metrics;
- subject: a unit or organisation named before it in the sentence, else a
  programme or product there (该项目总投资), else the actor of its paragraph
  or article (kg.nlp.actors) — but none when the sentence is about a place
  (山东全省…) or a person speaks of themselves (我流转了100多亩林地);
- as_of: the date written nearest before it in its sentence, else in its
  paragraph, else after it there;
- a ranking right after it (列全省邮政第1位) is kept as its `rank`.
"""
from __future__ import annotations

import re

from spacy.language import Language

from kg.nlp.actors import actors, clause_start
from kg.nlp.dates import find_dates
from kg.lexicon import jsonl, longest_first, word_list
from kg.nlp.mentions import Metric, layout, live, metrics, resolved
from kg.nlp.numbers import NumberError, parse_number

CN = "零〇一二两三四五六七八九十百千"
NUM = rf"(?:\d+(?:[,，]\d{{3}})*(?:\.\d+)?|[{CN}]+(?:点[{CN}]+)?)"
QUOTED = re.compile(r"“[^“”]{1,30}”|‘[^‘’]{1,30}’")
CLAUSE_END = re.compile(r"[，。；！？：\n,;!?:]")
ENTITY_LABELS = ("BRANCH", "PARTNER")
OBJECT_MARK = re.compile(r"(?:与|同|和|跟|为|向|给|对|及|、|联合|配合|携手|在)[\u4e00-\u9fff]{0,4}$")
ITEM_LABELS = ("PROGRAM", "PRODUCT")


@Language.factory(
    "kg_metric_finder",
    assigns=["doc._.kg_metrics"],
    requires=["doc._.kg_mentions"],
    default_config={
        "units": "config/units.jsonl",
        "trim": "config/metric_trim.txt",
        "approx": "config/approx_words.txt",
        "place_subjects": "config/place_subjects.txt",
        "personal": "config/personal_words.txt",
        "place_nouns": "config/place_nouns.txt",
        "rank_words": "config/rank_words.txt",
    },
)
def make_metric_finder(nlp, name, units, trim, approx, place_subjects, personal, place_nouns, rank_words):
    return MetricFinder(units, trim, approx, place_subjects, personal, place_nouns, rank_words)


class MetricFinder:
    def __init__(self, units, trim, approx, place_subjects, personal, place_nouns, rank_words):
        rows = jsonl(units, ("unit", "kind"))
        self.units = {r["unit"]: r for r in rows}
        self.trim = longest_first(word_list(trim))
        self.place_subjects = tuple(word_list(place_subjects))
        self.personal = tuple(word_list(personal))
        self.place_nouns = tuple(longest_first(word_list(place_nouns)))
        approx_words = "|".join(map(re.escape, longest_first(word_list(approx))))
        unit_alt = "|".join(map(re.escape, longest_first(self.units)))
        self.figure = re.compile(
            rf"(?P<pct>百分之)?(?P<sign>[-−])?(?P<num>{NUM})(?:(?P<sep>—|–|~|～|至|到)(?P<num2>{NUM}))?"
            rf"(?P<mag>万亿|亿|万|千)?(?:{approx_words})?(?P<unit>{unit_alt})?")
        ranks = "|".join(map(re.escape, longest_first(word_list(rank_words))))
        self.rank = re.compile(rf"(?:{ranks})[^，。；\d]{{0,12}}第\s*\d+\s*[位名]")

    def __call__(self, doc):
        text = layout(doc).text
        lay = layout(doc)
        found = live(doc)
        spans = [(m.start, m.end) for _, m in found] + [q.span() for q in QUOTED.finditer(text)]
        dates = find_dates(text)
        out = metrics(doc)
        seen = set()
        for f in self.figure.finditer(text):
            metric = self._metric(doc, lay, found, spans, dates, f)
            if metric is None:
                continue
            key = (metric.subject, metric.name, metric.value, metric.unit)
            if key not in seen:
                seen.add(key)
                out.append(metric)
        self._ranks(text, lay, out)
        return doc

    # -- one figure -------------------------------------------------------
    def _metric(self, doc, lay, found, spans, dates, f):
        text = lay.text
        s, e = f.span()
        if not f.group("num") or any(a <= s < b for a, b in spans):
            return None
        if text[s - 1:s] in "第" or (s and re.match(r"[\dA-Za-z.]", text[s - 1])):
            return None
        unit_text = f.group("unit")
        row = self.units.get(unit_text) if unit_text else None
        kind = row["kind"] if row else None
        if f.group("pct"):
            kind, unit = "percent", "%"
        elif row:
            unit = row.get("as", unit_text)
        else:
            unit = None
        if kind in ("time", "skip"):
            return None
        chinese = not re.match(r"\d", f.group("num"))
        if chinese and not f.group("mag") and kind not in ("money", "percent"):
            return None  # 一项工作, 两个网点: words, not reported figures
        try:
            value = parse_number(f.group("num") + (f.group("mag") or ""))
            value_max = parse_number(f.group("num2") + (f.group("mag") or "")) if f.group("num2") else None
        except NumberError:
            return None
        if f.group("sign"):
            value = -value
        sent_start, sent_end = lay.sentence(s)
        sentence = text[sent_start:sent_end]
        if any(w in sentence.replace("我们", "") for w in self.personal):
            return None
        c_start = clause_start(text, s)
        subject = self._subject(doc, lay, found, text, s, sent_start)
        if subject is None:
            return None
        before = self._name_before(doc, found, text, c_start, s, subject)
        if kind is None:
            # A bare figure is a percentage only after a rate (不良率为0).
            if not re.search(r"(率|占比|比例|比重)$", before):
                return None
            kind, unit = "percent", "%"
        if kind == "count":
            name = self._name_after(text, e)
            if self._counts_places(name):
                return None
            name = name or before
        else:
            name = before or (self._name_after(text, e) if kind == "measure" else "")
        if not name:
            return None
        return Metric(subject, name, value, "元" if unit == "元" else unit, self._as_of(lay, dates, s),
                      text[s:e], s, e, f"metric_finder:{kind}", value_max=value_max)

    def _name_before(self, doc, found, text, c_start, s, subject):
        start = c_start
        for i, m in found:
            if not (c_start <= m.start and m.end <= s and m.end > start):
                continue
            # The name starts after the figure's subject, or after a unit or
            # programme that opens the clause.
            opens = m.label in ENTITY_LABELS + ("PROGRAM",) and (
                m.start - c_start <= 2 or text[c_start:m.start].strip("“”‘’") in ("", "在", "该"))
            governed = m.label in ENTITY_LABELS and OBJECT_MARK.search(text[start:m.start])
            if opens or resolved(doc, i) == subject or m.kind == "anaphor" or governed:
                start = m.end  # (为该项目授信, 为…公司发放贷款: the name is 授信, 发放贷款)
        # …after the previous figure in the clause, if any.
        for prev in self.figure.finditer(text, c_start, s):
            if prev.group("unit") or prev.group("mag"):
                start = max(start, prev.end())
        name = text[start:s].strip("“”‘’（）() ")
        name = re.sub(r"^(?:截至|截止)[^，]*?[年月日末底]", "", name)
        changed = True
        while changed and name:
            changed = False
            for w in self.trim:
                if name.endswith(w) and len(name) > len(w):
                    name, changed = name[: -len(w)].rstrip("“”‘’"), True
                    break
        return re.sub(r"[“”‘’]", "", name)

    def _counts_places(self, name: str) -> bool:
        """13个地（市）, 8个乡镇、…: the counted noun is a kind of place, as a whole word."""
        for p in self.place_nouns:  # longest first
            if name.startswith(p):
                after = name[len(p):len(p) + 1]
                return not after or after == "的" or not re.match(r"[\u3400-\u9fff]", after)
        return False

    def _name_after(self, text, e):
        rest = text[e:e + 24]
        stop = CLAUSE_END.search(rest)
        rest = rest[: stop.start()] if stop else rest
        nxt = self.figure.search(rest)
        while nxt and not (nxt.group("unit") or nxt.group("mag")):
            nxt = self.figure.search(rest, nxt.end())
        if nxt:
            rest = rest[: nxt.start()]
        return re.sub(r"[“”‘’]", "", rest)

    def _subject(self, doc, lay, found, text, s, sent_start):
        if any(m.kind == "anaphor" and m.refers is None and m.label in ENTITY_LABELS
               and sent_start <= m.start < s for m in doc._.kg_mentions):
            return None  # 该分公司 with nothing to point to: the figure's owner is unknown
        in_sentence = [(i, m) for i, m in found if sent_start <= m.start and m.end <= s]
        for labels in (ENTITY_LABELS, ITEM_LABELS):
            cands = [(i, m) for i, m in in_sentence if doc._.kg_mentions[resolved(doc, i)].label in labels]
            if cands:
                # The sentence's subject: the first one not governed by 与/为/向…
                # (洛阳县分公司与…商务局联合举办…，累计培训3200人次).
                subjects = [(i, m) for i, m in cands if not OBJECT_MARK.search(text[clause_start(text, m.start):m.start])]
                return resolved(doc, (subjects or cands[-1:])[0][0])
        lead = text[sent_start:s]
        if any(p in lead for p in self.place_subjects):
            return None  # a figure about a place
        p_start, p_end = lay.paragraph(s)
        before = [(i, m) for i, m in found if p_start <= m.start and m.end <= s
                  and doc._.kg_mentions[resolved(doc, i)].label in ENTITY_LABELS]
        if before:
            return resolved(doc, before[-1][0])
        got = actors(doc, lay, s, labels=ENTITY_LABELS)
        if got:
            return got[0]
        items = [(i, m) for i, m in found if p_start <= m.start and m.end <= s
                 and doc._.kg_mentions[resolved(doc, i)].label in ITEM_LABELS]
        return resolved(doc, items[-1][0]) if items else None

    @staticmethod
    def _as_of(lay, dates, s):
        sent_start, _ = lay.sentence(s)
        p_start, p_end = lay.paragraph(s)
        before_s = [d for d in dates if sent_start <= d[0] and d[1] <= s]
        if before_s:
            return before_s[-1][2]
        before_p = [d for d in dates if p_start <= d[0] and d[1] <= s]
        if before_p:
            return before_p[-1][2]
        after_p = [d for d in dates if s <= d[0] and d[1] <= p_end]
        return after_p[0][2] if after_p else None

    def _ranks(self, text, lay, out):
        for r in self.rank.finditer(text):
            sent_start, _ = lay.sentence(r.start())
            prior = [m for m in out if sent_start <= m.start and m.end <= r.start()]
            if prior:
                prior[-1].rank = r.group()
