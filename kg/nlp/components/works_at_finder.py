"""WORKS_AT: a person and the unit or organisation named just before their title.

person_finder keeps where a title ends; the unit is the mention (a name or an
anaphor such as 该分公司) that ends where the title phrase begins:
沿江大道邮政营业所|理财经理|钟雨桐, 该公司|柑橘收购组组长|李敏. Two framings
put words between them that are not the title: a declared short name
(X县邮政分公司（以下简称“X县分公司”）|总经理|某某, the unit's closing quote and
bracket) and a place clause (在X营业所，|理财经理|某某). And 来自X分行的(学员)某某
names where a person comes from with or without a title, and 某某是X支局的乡邮员 says
the post after the name (a title of config/titles.txt right after X的).
A title that names only the kind of unit (支局长某某, 合作社负责人某某, said of a
unit the article has named) goes to the nearest unit before it in the article
whose name ends with that kind (X路邮政支局, Y专业合作社).
A byline's author gets no WORKS_AT (the labelling standard), so bylines give
no title here.
"""
from __future__ import annotations

import re

from spacy.language import Language

from kg.lexicon import longest_first, word_list
from kg.nlp.actors import UNDER
from kg.nlp.mentions import Relation, layout, live, live_before, live_in, mentions, relations, resolved

TITLE = re.compile(r"^[\u4e00-\u9fff、]{1,16}$")
BRACKETED_TITLE = re.compile(r"^[\u4e00-\u9fff]{1,8}[（(]([\u4e00-\u9fff]{1,8})[）)]?$")
CLOSERS = re.compile(r"^[”’」』）)]+")  # the end of （以下简称“…”） after a declared name
COMES_FROM = "来自"
LIST_JOINERS = "、和"
# What may stand before a bare title's unit noun: the start of a clause or quote.
CLAUSE_EDGE = re.compile(r"[\s。！？；，：、“”‘’「」（）()]$")
BARE_NOUN = re.compile(r"(?P<noun>[\u4e00-\u9fff]{2,4})$")


# 某某是|X支局|的|乡邮员: the words joining a name to the unit and post it holds; 担任 and its
# kin may come a few words after the name (某某开始担任X支局支局长), 是 and 系 right after it.
IS = ("是", "系")
TAKES_POST = re.compile(r"[\u4e00-\u9fff]{0,4}?(?:现任|担任|出任|兼任|原任|曾任|历任)")  # (a past post counts: ANNOTATION)
POST_END = re.compile(r"[，。；、！？,;]|$")
# …是X支局的一名营业员 / 年轻投递员: words that size up the post before its title.
POST_MODIFIERS = re.compile(r"(?:一名|一位|一个|年轻的?|资深的?|优秀的?|普通的?|新任的?|老)*")
# 某某，X分公司Y支局投递员。: a profile opening with the name, then the unit and post it holds.
APPOSITION = "，"


@Language.factory("kg_works_at_finder", assigns=["doc._.kg_relations"], requires=["doc._.kg_mentions"],
                  default_config={"titles": "config/titles.txt"})
def make_works_at_finder(nlp, name, titles):
    return WorksAtFinder(titles)


class WorksAtFinder:
    def __init__(self, titles="config/titles.txt"):
        self.titles = tuple(longest_first(word_list(titles)))  # (a tuple: str.endswith takes it)
        # (a deputy of any title: 副经理, as well as the titles listed with theirs, 副总经理)
        self.post_titles = [*self.titles, *("副" + t for t in self.titles)]

    def __call__(self, doc):
        text = layout(doc).text
        found = mentions(doc)
        out = relations(doc)
        orgs = [(i, m) for i, m in live(doc) if m.label in ("BRANCH", "PARTNER")]
        for p, person in live(doc):
            if person.label != "PERSON":
                continue
            title_end = person.info.get("title_end")
            linked = False
            for k in range(len(orgs) - 1, -1, -1):
                i, org = orgs[k]
                if org.end > person.start:
                    continue
                title = self._title(text, org, person, title_end)
                if title and any(m.label == "PERSON" for _, m in live_in(doc, org.end, title_end)):
                    title = None  # X营业所主任甲、理财经理乙: 乙's title is no run through 甲 (see _listed_title)
                if title is not None:
                    target = resolved(doc, i)
                    if found[target].label in ("BRANCH", "PARTNER"):
                        out.append(Relation("WORKS_AT", p, target, org.start, person.end,
                                            "works_at_finder:" + person.rule.split(":")[-1], title=title))
                        linked = True
                        self._listed_posts(doc, text, p, person, orgs[:k], org, out)
                break
            if not linked and title_end is not None:
                linked = self._listed_title(doc, text, p, person, title_end, out)
            if not linked and title_end is not None:
                linked = self._colleague(doc, text, p, person, title_end, out)
            if not linked and title_end is not None:
                self._by_kind(doc, text, p, person, title_end, out)
            if not linked and title_end is None:
                linked = self._post_after(doc, text, p, person, orgs, out)
            last = out[-1] if out else None
            if not linked and title_end is None and last is not None and last.type == "WORKS_AT" \
                    and found[last.head].end + 1 == person.start and text[person.start - 1] in LIST_JOINERS:
                # 某支局投递员刘某、孟某: a name listed straight after a titled one shares the post.
                out.append(Relation("WORKS_AT", p, last.tail, last.start, person.end,
                                    "works_at_finder:listed", title=last.title))
        return doc

    @staticmethod
    def _title(text, org, person, title_end):
        """The title between a unit and a person's name, "" for 来自X的某某, None for no link."""
        if text.endswith(COMES_FROM, 0, org.start) and text.startswith("的", org.end):
            between = text[org.end + 1:person.start]
            if between == "" or (title_end == person.start and TITLE.match(between)):
                return between
            return None
        if title_end is None or org.end > title_end:
            return None
        title = CLOSERS.sub("", text[org.end:title_end].strip())
        title = BRACKETED_TITLE.sub(r"\1", title)  # 负责人（总经理 → 总经理: the post in brackets is the exact one
        if title.startswith("，") and text.endswith("在", 0, org.start):
            title = title[1:]
        return title if TITLE.match(title) else None

    @staticmethod
    def _listed_title(doc, text, p, person, title_end, out) -> bool:
        """X营业所主任甲、理财经理乙和柜员丙: a title and name listed right after a titled
        person's name is a post at the same unit."""
        title = person.info.get("title_word") or ""
        start = title_end - len(title)
        last = out[-1] if out else None
        if not title or last is None or last.type != "WORKS_AT" or start < 1 or text[start - 1] not in LIST_JOINERS:
            return False
        if mentions(doc)[last.head].end != start - 1:
            return False
        out.append(Relation("WORKS_AT", p, last.tail, last.start, person.end,
                            "works_at_finder:listed_title", title=title))
        return True

    @staticmethod
    def _colleague(doc, text, p, person, title_end, out) -> bool:
        """某分公司总经理甲作工作报告，党委副书记、副总经理乙主持会议: a titled person naming no
        unit, in a later clause of a titled colleague's sentence, holds a post at the same unit."""
        last = out[-1] if out else None
        if last is None or last.type != "WORKS_AT":
            return False
        prev = mentions(doc)[last.head]
        lay = layout(doc)
        if prev.end > person.start or lay.sentence(prev.start)[0] != lay.sentence(person.start)[0]:
            return False
        comma = text.rfind("，", prev.end, person.start)
        title = text[comma + 1:title_end] if comma >= 0 else ""
        if not TITLE.match(title) or any(m.label in ("BRANCH", "PARTNER") for _, m in live_in(doc, prev.end, person.start)):
            return False
        out.append(Relation("WORKS_AT", p, last.tail, comma + 1, person.end, "works_at_finder:colleague", title=title))
        return True

    def _listed_posts(self, doc, text, p, person, before, nxt, out):
        """X分公司副总经理、Y分公司总经理某某: each unit of the list, with the title after it,
        is a post the person holds."""
        for i, org in reversed(before):
            between = text[org.end:nxt.start]
            title = between[:-1]
            if not between.endswith("、") or not TITLE.match(title) or "、" in title \
                    or not title.endswith(self.titles):
                return
            target = resolved(doc, i)
            if mentions(doc)[target].label in ("BRANCH", "PARTNER"):
                out.append(Relation("WORKS_AT", p, target, org.start, person.end,
                                    "works_at_finder:listed_post", title=title))
            nxt = org

    def _post_after(self, doc, text, p, person, orgs, out) -> bool:
        """某某是X支局的乡邮员 / 某某现任X分行客户经理 / 某某，X支局投递员。: the unit right
        after the verb (or the comma of a profile's opening), then (的 and) a title that ends
        the clause."""
        verb = next((v for v in IS if text.startswith(v, person.end)), None)
        takes = TAKES_POST.match(text, person.end)
        if verb is not None:
            at = person.end + len(verb)
        elif takes:
            at = takes.end()
        elif text.startswith(APPOSITION, person.end):
            at = person.end + 1
        else:
            return False
        last = None
        for i, org in orgs:
            if org.start != at:
                continue
            if text.startswith("的", org.end):
                return self._post(doc, text, p, person, i, org.end + 1, out)
            # X分公司|Y支局…: the unit written inside its parent's name, or under it (X分行下辖Y支行)
            under = UNDER.match(text, org.end)
            at, last = (under.end() if under else org.end), i
        if last is None:
            return False
        return self._post(doc, text, p, person, last, at, out)

    def _post(self, doc, text, p, person, i, after, out) -> bool:
        """The title at `after` that ends the clause: WORKS_AT the unit of mention i."""
        after = POST_MODIFIERS.match(text, after).end()  # …的一名|年轻|投递员
        title = next((t for t in self.post_titles if text.startswith(t, after)
                      and POST_END.match(text, after + len(t))), None)
        target = resolved(doc, i)
        if title is None or mentions(doc)[target].label not in ("BRANCH", "PARTNER"):
            return False
        out.append(Relation("WORKS_AT", p, target, person.start, after + len(title),
                            "works_at_finder:post_after", title=title))
        return True

    @staticmethod
    def _by_kind(doc, text, p, person, title_end, out):
        """支局长某某 / 合作社负责人某某 / 公司董事长某某: the unit the article named whose name
        ends with that kind (the kind inside the title, or the bare noun before it)."""
        word = person.info.get("title_word") or ""
        start = title_end - len(word)
        bare = word.lstrip("副")
        kinds = []  # (kind, where it starts, where the title starts)
        if bare.endswith("长") and len(bare) >= 3:  # 支局长 → 支局; 行长 or 局长 alone say too little
            kinds.append((bare[:-1], start, start))
        m = BARE_NOUN.search(text, max(start - 5, 0), start)
        if m is not None:  # (合作社|负责人: the title is what follows the kind, as the labelling writes it)
            kinds.append((m.group("noun"), m.start("noun"), m.end("noun")))
        art_start, _ = layout(doc).article(person.start)
        for noun, edge, title_start in kinds:
            if edge > 0 and not CLAUSE_EDGE.search(text, 0, edge):
                continue  # words before the title that are not a bare unit noun: someone else's title
            for i, org in reversed(live_before(doc, start)):
                if org.start < art_start:
                    break
                if org.label in ("BRANCH", "PARTNER") and org.kind == "name" and org.end <= edge \
                        and org.text.endswith(noun) and len(org.text) > len(noun):
                    out.append(Relation("WORKS_AT", p, resolved(doc, i), org.start, person.end,
                                        "works_at_finder:by_kind", title=text[title_start:title_end]))
                    return
