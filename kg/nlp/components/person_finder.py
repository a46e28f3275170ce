"""PERSON mentions: real names after a job title, and the names in a byline.

Newspaper prose names people as unit + title + name (沿江大道邮政营业所理财经理
钟雨桐, 该分公司转型督导陈思远) and signs articles with a byline (□肖芳 田黎,
□吉林省分行党委书记、行长 林国华). A name is a known surname and one or two
more characters; whether the third character belongs to the name is decided
by what follows (钟雨桐常叮嘱 vs 李敏说). Honorifics (李大姐) are not names.
The title and where it ends are kept so that works_at_finder can link the
person to the unit named just before.
"""
from __future__ import annotations

import re

from spacy.language import Language

from kg.text.byline import byline_parts
from kg.lexicon import longest_first, word_list
from kg.nlp.mentions import Mention, layout, mentions

CJK = "\u3400-\u9fff"
BYLINE = re.compile(r"(?:^|(?<=[。！？”）)]))[□■▢◻](?P<body>[^\n]+)$", re.M)  # also right after a sentence (…14.6%。□某某)


@Language.factory(
    "kg_person_finder",
    assigns=["doc._.kg_mentions"],
    default_config={
        "titles": "config/titles.txt",
        "surnames": "config/surnames.txt",
        "honorifics": "config/honorifics.txt",
        "followers": "config/name_followers.txt",
    },
)
def make_person_finder(nlp, name, titles, surnames, honorifics, followers):
    return PersonFinder(titles, surnames, honorifics, followers)


class PersonFinder:
    def __init__(self, titles, surnames, honorifics, followers):
        self.titles = longest_first(word_list(titles))
        self.surnames = set(word_list(surnames))
        self.honorifics = longest_first(word_list(honorifics))
        self.followers = longest_first(word_list(followers))
        compound = [s for s in self.surnames if len(s) > 1]
        single = "".join(s for s in self.surnames if len(s) == 1)
        surname = "|".join(map(re.escape, compound)) + (f"|[{single}]" if single else "")
        self.after_title = re.compile(
            rf"(?P<title>{'|'.join(map(re.escape, self.titles))})(?P<name>(?:{surname})[{CJK}]{{1,2}})")

    def __call__(self, doc):
        text = layout(doc).text
        found = mentions(doc)
        for m in BYLINE.finditer(text):
            self._byline(m, found)
        for m in self.after_title.finditer(text):
            start = m.start("name")
            name = self._cut(text, start, m.end("name"))
            if not name:
                continue
            found.append(Mention(start, start + len(name), "PERSON", name, "person_finder:title_name",
                                 info={"title_end": m.end("title"), "title_word": m.group("title")}))
        return doc

    def _cut(self, text, start, end):
        """The name's length: two characters or three, by what follows."""
        cand = text[start:end]
        if cand[:2] in self.surnames and len(cand[:2]) == 2 and len(cand) >= 3:
            # A compound surname (欧阳明华): the same choice, one character later.
            rest = self._cut(text, start + 1, end)
            return cand[0] + rest if rest else None
        if any(cand[1:].startswith(h) or cand.endswith(h[:1]) and text.startswith(h, start + 1)
               for h in self.honorifics):
            return None
        if len(cand) == 3:
            after3, after2 = text[end:end + 4], text[start + 2:start + 6]
            if self._follows(after3):
                return cand  # 陈志刚|表示, 钟雨桐|常叮嘱
            if self._follows(after2):
                return cand[:2]  # 李敏|说, 张敏|介绍
            # Neither tells (林国华，): a 3-character name is the commoner.
            return cand
        return cand if re.fullmatch(rf"[{CJK}]{{2}}", cand) else None

    def _follows(self, text: str) -> bool:
        return any(text.startswith(w) for w in self.followers)

    def _byline(self, m, found):
        body = m.group("body")
        base = m.start("body")
        parts = byline_parts(body, self.titles)

        for k, (offset, part) in enumerate(parts):
            names = [part] if self._looks_like_name(part) else []
            if not names and k == len(parts) - 1 and len(parts) == 1:
                # □吉林省分行党委书记、行长林国华 (no space): a title, then the name.
                t = self.after_title.search(part)
                if t and t.end("name") == len(part):
                    offset, names = t.start("name"), [t.group("name")]
            for name in names:
                s = base + offset
                info = {}
                if k > 0:
                    info["title_end"] = base + parts[k - 1][0] + len(parts[k - 1][1])
                    info["byline_prefix"] = (base, info["title_end"])
                found.append(Mention(s, s + len(name), "PERSON", name, "person_finder:byline", info=info))

    def _looks_like_name(self, part: str) -> bool:
        if not re.fullmatch(rf"[{CJK}]{{2,4}}", part):
            return False
        if part[:2] in self.surnames and len(part) in (3, 4):
            return True
        return part[0] in self.surnames and len(part) in (2, 3)
