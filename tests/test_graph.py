"""The networkx graph built from records: schema, provenance and the cross-document merge rule."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.graph.model import build_graph, graph_counts, is_generic_branch, regions_compatible
from kg.nlp.records import RecordError, read_records

FIXTURE = Path(__file__).parent / "fixtures" / "records.jsonl"


def ent(i, label, name, *, region=(), qualified=None, aliases=None, start=0):
    return {"id": i, "label": label, "name": name, "aliases": aliases or [name],
            "qualified": qualified or name, "region": list(region),
            "mentions": [{"text": name, "article": 0, "sentence": f"…{name}…", "start": start,
                          "end": start + len(name), "rule": "test"}]}


def ref(e):
    return {"id": e["id"], "name": e["name"], "label": e["label"]}


def rel(kind, head, tail, start=0, title=None):
    return {"type": kind, "head": ref(head), "tail": ref(tail), "title": title, "article": 0,
            "sentence": "…", "start": start, "end": start + 5, "rule": "test"}


def record(doc, entities, relations=(), metrics=(), sha1="0" * 40):
    return {"doc": doc, "path": doc, "sha1": sha1, "chars": 100,
            "articles": [{"index": 0, "title": "标题", "subtitle": None, "bylines": ["某某"], "start": 0, "end": 100}],
            "entities": list(entities), "relations": list(relations), "metrics": list(metrics), "skipped": None}


def branch_nodes(g):
    return {k: d for k, d in g.nodes(data=True) if d["label"] == "Branch"}


def test_fixture_graph_counts():
    g = build_graph(read_records(FIXTURE))
    assert graph_counts(g) == {
        "nodes": {"Branch": 4, "Partner": 1, "Product": 1, "Program": 2, "Person": 1,
                  "Metric": 3, "Document": 3, "Article": 3},
        "edges": {"RUNS": 2, "OFFERS": 1, "PARTNERS_WITH": 1, "FINANCES": 0, "WORKS_AT": 1,
                  "PART_OF": 0, "REPORTED": 3, "MENTIONED_IN": 11, "HAS_ARTICLE": 3},
    }


def test_keys_labels_and_provenance():
    g = build_graph(read_records(FIXTURE))
    for key, data in g.nodes(data=True):
        assert data["key"] == key and data["label"]
    for u, v, k, data in g.edges(keys=True, data=True):
        assert data["key"] == k and data["type"]
        if data["type"] != "HAS_ARTICLE":
            assert data["doc"] and isinstance(data["article"], int) and data["sentence"]
    dazhou = g.nodes["branch:四川省达州市邮政分公司"]
    assert dazhou["aliases"] == ["四川省达州市邮政分公司", "达州市分公司"]
    assert dazhou["region"] == ["四川省", "达州市"]
    works = [d for _, _, d in g.edges(data=True) if d["type"] == "WORKS_AT"]
    assert works[0]["title"] == "理财经理" and works[0]["sentence"].startswith("绥定大道南")
    art = g.nodes["art:a.txt#1"]
    assert (art["title"], art["bylines"], art["index"]) == ("山东邮银构建“三医服务”新模式", ["邹东"], 1)


def test_cross_document_alias_merge_keeps_facts_of_both_documents():
    g = build_graph(read_records(FIXTURE))
    assert g.nodes["branch:四川省达州市邮政分公司"]["docs"] == ["a.txt", "b.txt"]
    runs = sorted((g.nodes[v]["name"], d["doc"]) for u, v, d in g.edges(data=True)
                  if d["type"] == "RUNS" and u == "branch:四川省达州市邮政分公司")
    assert runs == [("周三会员日", "a.txt"), ("品味家乡味", "b.txt")]


def test_metric_node_keeps_exact_value_and_subject():
    g = build_graph(read_records(FIXTURE))
    metrics = {d["name"]: (k, d) for k, d in g.nodes(data=True) if d["label"] == "Metric"}
    key, m = metrics["新增余额"]
    assert key.startswith("metric:") and len(key) == len("metric:") + 16
    assert (m["value"], m["value_text"], m["unit"], m["as_of"], m["rank"]) == (5776000000.0, "5776000000", "元", "2022", "列全省邮政第1位")
    assert [u for u, _, d in g.in_edges(key, data=True) if d["type"] == "REPORTED"] == ["branch:四川省达州市邮政分公司"]


def test_skipped_record_adds_only_its_document():
    g = build_graph(read_records(FIXTURE))
    assert g.nodes["doc:broken.txt"]["skipped"] == "empty file"
    assert g.degree("doc:broken.txt") == 0
    assert g.nodes["doc:a.txt"]["skipped"] is None


def test_same_short_branch_name_in_different_provinces_never_merges():
    a = ent(0, "BRANCH", "城关支行", region=["甘肃省", "兰州市"])
    b = ent(0, "BRANCH", "城关支行", region=["河南省", "郑州市"])
    g = build_graph([record("a.txt", [a]), record("b.txt", [b])])
    assert sorted(branch_nodes(g)) == ["branch:城关支行@河南省/郑州市", "branch:城关支行@甘肃省/兰州市"]


def test_regionless_generic_branch_never_merges_across_documents():
    a = ent(0, "BRANCH", "市分公司")
    b = ent(0, "BRANCH", "市分公司")
    c = ent(0, "BRANCH", "城关支行")
    d = ent(0, "BRANCH", "城关支行")
    g = build_graph([record("a.txt", [a]), record("b.txt", [b]), record("c.txt", [c]), record("d.txt", [d])])
    assert sorted(branch_nodes(g)) == ["branch:城关支行@c.txt", "branch:城关支行@d.txt",
                                       "branch:市分公司@a.txt", "branch:市分公司@b.txt"]


def test_branch_alias_merges_within_compatible_regions_only():
    full = ent(0, "BRANCH", "山东省济南市邮政分公司", region=["山东省", "济南市"], aliases=["山东省济南市邮政分公司", "济南市分公司"])
    short = ent(0, "BRANCH", "济南市分公司", region=["山东省"], qualified="山东省济南市分公司")
    bare = ent(0, "BRANCH", "济南市分公司", qualified="济南市分公司x")  # no region: may not merge by name
    g = build_graph([record("a.txt", [full]), record("b.txt", [short]), record("c.txt", [bare])])
    nodes = branch_nodes(g)
    assert nodes["branch:山东省济南市邮政分公司"]["docs"] == ["a.txt", "b.txt"]
    assert nodes["branch:济南市分公司x"]["docs"] == ["c.txt"]
    assert len(nodes) == 2


def test_region_written_without_province_is_compatible():
    assert regions_compatible(["四川省", "达州市"], ["达州市"])
    assert regions_compatible(["山东省"], ["山东省", "济南市"])
    assert regions_compatible([], ["山东省"])
    assert not regions_compatible(["甘肃省", "兰州市"], ["河南省", "郑州市"])
    assert not regions_compatible(["四川省", "达州市"], ["四川省", "成都市"])


def test_generic_branch_names():
    assert is_generic_branch("市分公司") and is_generic_branch("县支行") and is_generic_branch("城关支行")
    assert is_generic_branch("邮储银行城关支行")
    assert not is_generic_branch("达州市分公司") and not is_generic_branch("水城区支行")


def test_people_and_programs_merge_by_name_without_region():
    p1, p2 = ent(0, "PERSON", "罗启铃"), ent(0, "PERSON", "罗启铃")
    q1, q2 = ent(1, "PROGRAM", "周三会员日"), ent(1, "PROGRAM", "“周三会员日”")
    b1, b2 = ent(2, "BRANCH", "高新区支行", qualified="高新区支行"), ent(2, "BRANCH", "中国邮政储蓄银行高新区支行",
                                                                      aliases=["中国邮政储蓄银行高新区支行", "高新区支行"])
    g = build_graph([record("a.txt", [p1, q1, b1]), record("b.txt", [p2, q2, b2])])
    assert g.nodes["person:罗启铃"]["docs"] == ["a.txt", "b.txt"]
    assert g.nodes["program:周三会员日"]["docs"] == ["a.txt", "b.txt"]
    assert len(branch_nodes(g)) == 2  # region-less branches do not merge by alias


def test_one_fact_edge_per_type_head_tail_with_its_evidence():
    b, p = ent(0, "BRANCH", "达州市分公司", region=["四川省"]), ent(1, "PROGRAM", "周三会员日")
    rels = [rel("RUNS", b, p, 0), rel("RUNS", b, p, 50)]
    g = build_graph([record("b.txt", [b, p], rels[:1]), record("a.txt", [b, p], rels)])
    (run,) = [d for _, _, d in g.edges(data=True) if d["type"] == "RUNS"]
    # the first reading (documents by name, then position) gives the edge's own provenance
    assert (run["doc"], run["start"]) == ("a.txt", 0)
    assert run["docs"] == ["a.txt", "b.txt"] and run["count"] == 3 and run["sentences"] == ["…"]
    readings = json.loads(run["evidence"])
    assert readings["fields"][:2] == ["doc", "article"]
    assert [(r[0], r[readings["fields"].index("start")]) for r in readings["readings"]] == [
        ("a.txt", 0), ("a.txt", 50), ("b.txt", 0)]


def test_readings_at_one_place_keep_the_same_one_whatever_their_order():
    b, p = ent(0, "BRANCH", "达州市分公司", region=["四川省"]), ent(1, "PROGRAM", "周三会员日")
    # two rules read the same span (one place); the rest of the reading breaks the tie
    first, second = {**rel("RUNS", b, p, 20), "rule": "b-rule"}, {**rel("RUNS", b, p, 20), "rule": "a-rule"}
    later = rel("RUNS", b, p, 3)
    edges = []
    for rels in ([first, second, later], [later, second, first]):
        g = build_graph([record("a.txt", [b, p], rels)])
        (run,) = [d for _, _, d in g.edges(data=True) if d["type"] == "RUNS"]
        edges.append(run)
    assert edges[0] == edges[1]
    readings = json.loads(edges[0]["evidence"])
    rule, start = readings["fields"].index("rule"), readings["fields"].index("start")
    assert [(r[start], r[rule]) for r in readings["readings"]] == [(3, "test"), (20, "a-rule")]


def test_one_metric_per_subject_name_value_unit_date():
    b = ent(0, "BRANCH", "达州市分公司", region=["四川省"])
    def met(start, value_text="5776000000", as_of="2022"):
        return {"subject": ref(b), "name": "新增余额", "value": int(value_text), "value_text": value_text,
                "unit": "元", "as_of": as_of, "text": "57.76亿元", "rank": None, "article": 0,
                "sentence": f"句子{start}", "start": start, "end": start + 7, "rule": "test"}
    g = build_graph([record("a.txt", [b], metrics=[met(10), met(90)]),
                     record("b.txt", [b], metrics=[met(10), met(10, as_of="2023"), met(30, "1")])])
    metrics = sorted((d["as_of"], d["value_text"], d["count"], tuple(d["docs"]), tuple(d["sentences"]))
                     for _, d in g.nodes(data=True) if d["label"] == "Metric")
    assert metrics == [("2022", "1", 1, ("b.txt",), ("句子30",)),
                       ("2022", "5776000000", 3, ("a.txt", "b.txt"), ("句子10", "句子90")),
                       ("2023", "5776000000", 1, ("b.txt",), ("句子10",))]
    reported = [d for _, _, d in g.edges(data=True) if d["type"] == "REPORTED"]
    assert len(reported) == 3


def test_generic_unit_words_are_their_organisations_one_node():
    pages = [[ent(0, "BRANCH", "总行"), ent(1, "BRANCH", "县支行")] for _ in range(2)]
    pages += [[ent(0, "BRANCH", "总行")], [ent(0, "BRANCH", "邮储银行总行")]]
    g = build_graph([record(f"{i}.txt", ents) for i, ents in enumerate(pages)])
    nodes = branch_nodes(g)
    assert nodes["branch:邮储银行总行"]["docs"] == ["0.txt", "1.txt", "2.txt", "3.txt"]
    assert nodes["branch:邮储银行总行"]["aliases"] == ["邮储银行总行", "总行"]
    # a generic unit with no organisation behind it still stays in its page
    assert sorted(k for k in nodes if k.startswith("branch:县支行")) == ["branch:县支行@0.txt", "branch:县支行@1.txt"]


def test_graph_does_not_depend_on_record_order():
    records = read_records(FIXTURE)
    g1, g2 = build_graph(records), build_graph(list(reversed(records)))
    assert dict(g1.nodes(data=True)) == dict(g2.nodes(data=True))
    assert sorted(g1.edges(keys=True)) == sorted(g2.edges(keys=True))


def test_relation_to_unknown_entity_names_the_document():
    b = ent(0, "BRANCH", "达州市分公司", region=["四川省"])
    ghost = {"id": 9, "name": "无", "label": "PROGRAM"}
    bad = record("bad.txt", [b], [{**rel("RUNS", b, b), "tail": ghost}])
    with pytest.raises(RecordError, match=r"^bad.txt: relation 0 tail refers to entity id 9"):
        build_graph([bad])


def test_a_mention_is_keyed_by_its_name_and_rank_in_its_article_not_its_offsets():
    """A correction that lengthens the page moves every later offset; the mentions' keys
    stay (an update sets their offsets instead of replacing them). Two entities of one
    name still get a key each."""
    import copy

    from kg.graph import facts

    record = {"doc": "x.txt", "articles": [{"index": 0}], "relations": [], "metrics": [],
              "entities": [{"id": 1, "label": "BRANCH", "name": "黔东南州分公司", "mentions": [
                  {"article": 0, "start": 10, "end": 17, "text": "黔东南州分公司"},
                  {"article": 0, "start": 40, "end": 47, "text": "黔东南州分公司"}]},
                  {"id": 2, "label": "BRANCH", "name": "黔东南州分公司", "mentions": [
                      {"article": 0, "start": 60, "end": 67, "text": "黔东南州分公司"}]}]}
    keys = [values[1] for _id, _label, values in facts.doc_facts(record).mentions]
    assert keys == ["men:x.txt#0:黔东南州分公司.0", "men:x.txt#0:黔东南州分公司.1", "men:x.txt#0:黔东南州分公司.2"]
    longer = copy.deepcopy(record)
    for ent in longer["entities"]:
        for m in ent["mentions"]:
            m["start"] += 3
            m["end"] += 3
    assert [values[1] for _id, _label, values in facts.doc_facts(longer).mentions] == keys


def test_a_mention_key_is_a_short_digest_of_its_span_and_its_node():
    """12 characters (LadybugDB keeps strings of up to 12 bytes inline): the same span and
    node always give the same key, another node or another span another one."""
    import re

    from kg.graph import facts

    key = facts.mention_key("men:x.txt#0:某县分公司.0", "branch:某省某县分公司")
    assert len(key) == 12 and re.fullmatch(r"[A-Za-z0-9_-]{12}", key)
    assert key == facts.mention_key("men:x.txt#0:某县分公司.0", "branch:某省某县分公司")
    assert key != facts.mention_key("men:x.txt#0:某县分公司.0", "branch:某省某县分公司@x.txt")
    assert key != facts.mention_key("men:x.txt#0:某县分公司.1", "branch:某省某县分公司")
