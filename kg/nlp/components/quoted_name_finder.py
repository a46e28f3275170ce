"""PROGRAM and PRODUCT mentions: names the paper puts in quote marks.

Campaigns and products are quoted (“周五惠民日”活动, “邮 e 链”平台), but so are
slogans, plans and jargon (“十四五”规划, “绿色通道”). What the quote names is
told by the head noun that follows it — or ends it (“一站式服务”) — from
config/name_heads.jsonl. Quotes in a row share the head after the last one
(“乡音寄情”“邮趣周末”等活动), and a few words may stand between
(“开门红”及各项重点专项营销活动).
"""
from __future__ import annotations

import re

from spacy.language import Language

from kg.lexicon import jsonl, longest_first, word_list
from kg.nlp.mentions import Mention, layout, mentions

# Innermost quotes with a short, phrase-like content (no sentence punctuation).
QUOTE = re.compile(r"“([^“”‘’\n，。！？；：,!?;]{1,30})”|‘([^“”‘’\n，。！？；：,!?;]{1,30})’|「([^「」\n，。！？；]{1,30})」")
JOINERS = re.compile(r"[、和及与]?")
CLAUSE_END = set("，。！？；：,.!?;:\n“‘（(")


@Language.factory(
    "kg_quoted_name_finder",
    assigns=["doc._.kg_mentions"],
    default_config={"heads": "config/name_heads.jsonl", "slogans": "config/slogans.txt", "max_gap": 10},
)
def make_quoted_name_finder(nlp, name, heads, slogans, max_gap):
    return QuotedNameFinder(heads, slogans, max_gap)


class QuotedNameFinder:
    def __init__(self, heads, slogans, max_gap):
        self.slogans = set(word_list(slogans))
        rows = jsonl(heads, ("head", "label"))
        self.end_heads = {r["head"]: r["label"] for r in rows if r.get("end", True)}
        self.after_heads = {r["head"]: r["label"] for r in rows if r.get("after", True)}
        self.after_order = longest_first(self.after_heads)
        self.end_order = longest_first(self.end_heads)
        self.max_gap = max_gap

    def __call__(self, doc):
        text = layout(doc).text
        found = mentions(doc)
        for group in self._groups(text):
            head_label, head_found = self._head_after(text, group[-1].end())
            for m in group:
                content = next(g for g in m.groups() if g is not None)
                if content.replace(" ", "") in self.slogans:
                    continue  # “一带一路”建设: a national slogan, nobody's programme
                label = self._own_label(content)
                if label is False or (label is None and not head_found):
                    continue  # the quote's own ending says it is no name
                if label is None:
                    label = head_label
                elif head_found and head_label is None:
                    continue  # “三医”领域: the head after it rules it out
                if label is None:
                    continue
                s = m.start() + 1
                found.append(Mention(s, s + len(content), label, content, "quoted_name_finder",
                                     info={"quoted": True}))
        return doc

    def _groups(self, text):
        """Runs of quotes written one after another, or joined by 、/和/及/与."""
        group = []
        for m in QUOTE.finditer(text):
            if group:
                between = text[group[-1].end():m.start()]
                if JOINERS.fullmatch(between):
                    group.append(m)
                    continue
                yield group
            group = [m]
        if group:
            yield group

    def _own_label(self, content: str):
        """The label the quoted text's own ending gives: a label, False (no name), or None (silent)."""
        for head in self.end_order:
            if content.endswith(head) and len(content) > len(head):
                label = self.end_heads[head]
                return label if label else False
        return None

    def _head_after(self, text, pos):
        """(label, found) for the first head noun within max_gap characters after pos."""
        limit = min(len(text), pos + self.max_gap + 6)
        for i in range(pos, limit):
            if text[i] in CLAUSE_END or i - pos > self.max_gap:
                break
            for head in self.after_order:
                if text.startswith(head, i):
                    return self.after_heads[head], True
        return None, False
