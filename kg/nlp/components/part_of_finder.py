"""PART_OF: one unit stated to belong to another.

Only where the text marks the hierarchy:
- two unit names written back to back (硚口区邮政分公司古田三路邮政网点, 该行某某支行: the
  second is part of the first);
- joined by 下辖/所辖/所属/旗下/辖内 (…分公司所辖某县分公司、某县分公司: every unit of the list);
- units listed as a unit's 二级分行 (某市分行、某市分行等二级分行: of the province's branch);
- a unit that sets up a named team or facility (该支局组建了…服务小组, 某分公司设立了…监管中心);
- a facility a unit runs (该中心由某分公司牵头…, 某县分公司负责该中心的日常运营).
"""
from __future__ import annotations

import re

from spacy.language import Language

from kg.nlp.actors import COORDINATORS, actors, clause_start
from kg.nlp.mentions import Relation, layout, live, mentions, relations, resolved

# (after a preposition too: 某分公司对辖内甲县分公司、…的网点实行…)
UNDER = re.compile(r"^(?:对|在|为|向|与|组织|指导|带领)?(?:下辖|所辖|所属|旗下|辖内|下属|辖区内|下设)的?$")
SECOND_TIER = re.compile(r"等?(?:二级分行|二级分公司|地市分行)")
DEPARTMENTS = ("部", "代表队", "小组")
SET_UP = re.compile(r"(?:组建|成立|设立|建成|设置|挂牌|开设)了?")
# 该中心由某分公司牵头/运营…; 某分公司负责该中心的(日常)运营.
RUN_BY = re.compile(r"(?:牵头|负责|运营|管理|统筹|承建|建设)")
ITS_RUNNING = re.compile(r"的(?:日常)?(?:运营|管理|运行)")
# Units that a unit sets up: teams and facilities, not branches with places of their own.
SET_UP_KINDS = ("代表队", "小组", "中心", "服务队", "突击队", "工作室", "互换局", "邮局")


@Language.factory("kg_part_of_finder", assigns=["doc._.kg_relations"], requires=["doc._.kg_mentions"])
def make_part_of_finder(nlp, name):
    return PartOfFinder()


class PartOfFinder:
    def __call__(self, doc):
        text = layout(doc).text
        out = relations(doc)
        units = [(i, m) for i, m in live(doc) if m.label == "BRANCH"]
        seen = set()

        def add(child, parent, start, end, rule):
            if child != parent and (child, parent) not in seen:
                seen.add((child, parent))
                out.append(Relation("PART_OF", child, parent, start, end, "part_of_finder:" + rule))

        parent = None  # the parent of a list being read (所辖A、B、C)
        for (i, a), (j, b) in zip(units, units[1:]):
            gap = text[a.end:b.start]
            if gap == "" or UNDER.match(gap):
                add(resolved(doc, j), resolved(doc, i), a.start, b.end, "adjacent" if gap == "" else "under")
                parent = resolved(doc, i) if gap else None
            elif parent is not None and gap in COORDINATORS:
                add(resolved(doc, j), parent, a.start, b.end, "under_list")
            else:
                parent = None
        found = mentions(doc)
        for (i, a), (j, b) in zip(units, units[1:]):
            # A facility and the unit that runs it, either way round (该中心 is the centre it points to).
            gap = text[a.end:b.start]
            ri, rj = resolved(doc, i), resolved(doc, j)
            if gap == "由" and found[ri].text.endswith(SET_UP_KINDS) and RUN_BY.match(text, b.end):
                add(ri, rj, a.start, b.end, "run_by")
            elif gap == "负责" and found[rj].text.endswith(SET_UP_KINDS) and ITS_RUNNING.match(text, b.end):
                add(rj, ri, a.start, b.end, "runs")
        self._second_tier(doc, text, units, add)
        self._set_up(doc, text, units, add)
        self._named_inside(doc, units, add)
        return doc

    @staticmethod
    def _named_inside(doc, units, add):
        """青海邮政寄递事业部, 某集团有限公司国际业务部: a department whose name opens
        with another unit's name named in the article is that unit's."""
        names = {}
        for i, m in units:
            names.setdefault(m.text, resolved(doc, i))
        for j, m in units:
            if not m.rule.startswith(("branch_finder:suffix:", "branch_finder:department:")):
                continue
            if not m.info.get("unit") or not m.info["unit"].suffix.endswith(DEPARTMENTS):
                continue
            full = m.info.get("full_name", m.text)  # a listed department's owner is in its full name
            for k in range(len(full) - 2, 1, -1):
                parent = names.get(full[:k])
                if parent is not None and parent != resolved(doc, j):
                    add(resolved(doc, j), parent, m.start, m.end, "named_inside")
                    break

    def _second_tier(self, doc, text, units, add):
        """南京某分行、苏州某分行等二级分行: of the province's branch named in the article."""
        found = mentions(doc)
        for n, (i, m) in enumerate(units):
            if not SECOND_TIER.match(text, m.end):
                continue
            parents = [k for k, u in units if u.start < m.start and self._province_bank(found[resolved(doc, k)])]
            if not parents:
                continue
            parent = resolved(doc, parents[-1])
            add(resolved(doc, i), parent, m.start, m.end, "second_tier")
            k = n
            while k > 0 and text[units[k - 1][1].end:units[k][1].start] in COORDINATORS:
                k -= 1
                add(resolved(doc, units[k][0]), parent, units[k][1].start, m.end, "second_tier")

    @staticmethod
    def _province_bank(m):
        unit = m.info.get("unit")
        if unit is None or not unit.suffix.endswith("分行"):
            return False
        levels = [d.level for d in unit.divisions if d is not None]
        return bool(levels) and levels[-1] == 1

    def _set_up(self, doc, text, units, add):
        """该支局组建了…“某某”双语服务小组: the team is the unit's."""
        lay = layout(doc)
        for j, m in units:
            if not m.text.endswith(SET_UP_KINDS) or m.info.get("parent_written"):
                continue
            lead = text[clause_start(text, m.start):m.start]
            verb = None
            for verb in SET_UP.finditer(lead):
                pass
            if verb is None:
                continue
            pos = clause_start(text, m.start) + verb.start()
            for parent in actors(doc, lay, pos):
                add(resolved(doc, j), parent, pos, m.end, "set_up")
