"""What the pipeline read, written the spaCy way, as plain data.

The finders work on `Mention`, `Relation` and `Metric` objects in
`doc._.kg_mentions`, `doc._.kg_relations` and `doc._.kg_metrics`. This last
component writes them where spaCy users look, and replaces the objects, so
the Doc holds only plain data (it pickles, crosses `nlp.pipe(n_process=…)`
and survives `Doc.to_bytes`):

- `doc.spans["kg"]`: every mention standing after overlaps were settled
  (its data kept as rows in `doc.user_data["kg_mention_rows"]`, read by the
  span extensions below),
  overlaps allowed, `span.label_` its label; `span._.kg_rule` the rule that
  found it, `span._.kg_kind` (name, alias, anaphor, level, collective),
  `span._.kg_ref` the index in the group of the mention it stands for (or
  -1), `span._.kg_name` its name as read, `span._.kg_canonical` the name of
  the mention it stands for, `span._.kg_info` what the rule learnt (a unit's
  parsed name, a title …), `span._.kg_article` its article;
- `doc.ents`: the names, without overlaps;
- `doc._.kg_rels`: relations, each {type, head, tail, title, rule, start, end}
  with `head`/`tail` the Spans of the mentions;
- `doc._.kg_figures`: metrics, each {subject (a Span), name, value (exact, as
  text), unit, as_of, text, rank, value_max, figure (the Span of the figure),
  rule};
- `doc._.kg_articles`: the page's articles (start, end, title, subtitle, bylines).
"""
from __future__ import annotations

import bisect

from spacy.language import Language
from spacy.tokens import Doc, Span, SpanGroup
from spacy.util import filter_spans

from kg.nlp.mentions import mentions, metrics, relations
from kg.nlp.names import unit_to_plain

SPANS_KEY = "kg"
MENTIONS_KEY = "kg_mention_rows"  # [start, end, label, name, rule, kind, ref, info], in the group's order
RELATIONS_KEY = "kg_relation_rows"
METRICS_KEY = "kg_metric_rows"
_FIELDS = {"kg_name": 3, "kg_rule": 4, "kg_kind": 5, "kg_ref": 6, "kg_info": 7}


def _row(span):
    """The span's row in the kg group (found by its offsets and label), or None."""
    rows = span.doc.user_data.get(MENTIONS_KEY) or []
    k = bisect.bisect_left(rows, span.start_char, key=lambda row: row[0])
    while k < len(rows) and rows[k][0] == span.start_char:
        if rows[k][1] == span.end_char and rows[k][2] == span.label_:
            return rows[k]
        k += 1
    return None


def _field(index, default):
    def get(span):
        row = _row(span)
        return default if row is None else row[index]
    return get


for _name, _index in _FIELDS.items():
    if not Span.has_extension(_name):
        Span.set_extension(_name, getter=_field(_index, -1 if _name == "kg_ref" else None))


def _article_of(span):
    starts = [row[0] for row in (span.doc.user_data.get("kg_articles") or [[0]])]
    k = 0
    while k + 1 < len(starts) and starts[k + 1] <= span.start_char:
        k += 1
    return k


def _group(doc):
    return doc.spans[SPANS_KEY] if SPANS_KEY in doc.spans else []


def _rels(doc):
    group = _group(doc)
    return [{"type": t, "head": group[h], "tail": group[tl], "title": title, "rule": rule, "start": s, "end": e}
            for t, h, tl, s, e, rule, title in doc.user_data.get(RELATIONS_KEY, [])]


def _figures(doc):
    group = _group(doc)
    out = []
    for subject, name, value, unit, as_of, text, s, e, rule, rank, value_max in doc.user_data.get(METRICS_KEY, []):
        out.append({"subject": group[subject], "name": name, "value": value, "unit": unit, "as_of": as_of,
                    "text": text, "figure": doc.char_span(s, e, alignment_mode="expand"), "rule": rule,
                    "rank": rank, "value_max": value_max, "start": s, "end": e})
    return out


def _canonical(span):
    group, k, seen = _group(span.doc), span._.kg_ref, set()
    name = span._.kg_name
    while k is not None and k >= 0 and k not in seen:
        seen.add(k)
        name, k = group[k]._.kg_name, group[k]._.kg_ref
    return name


for _name, _getter in (("kg_article", _article_of), ("kg_canonical", _canonical)):
    if not Span.has_extension(_name):
        Span.set_extension(_name, getter=_getter)
for _name, _getter in (("kg_rels", _rels), ("kg_figures", _figures),
                       ("kg_articles", lambda doc: doc.user_data.get("kg_articles") or [])):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, getter=_getter)


@Language.factory("kg_span_writer", assigns=["doc.spans", "doc.ents"], requires=["doc._.kg_mentions"])
def make_span_writer(nlp, name):
    return SpanWriter()


class SpanWriter:
    def __call__(self, doc):
        ms = mentions(doc)
        order = sorted((i for i, m in enumerate(ms) if not m.dropped), key=lambda i: (ms[i].start, -ms[i].end))
        index = {i: k for k, i in enumerate(order)}
        spans, rows = [], []
        for i in order:
            m = ms[i]
            spans.append(doc.char_span(m.start, m.end, label=m.label, alignment_mode="expand"))
            rows.append([m.start, m.end, m.label, m.text, m.rule, m.kind, self._ref(ms, m, index),
                         self._info(m.info, index)])
        # A mention that lost an overlap stands for the one that won at its very span
        # (a declared short name read by two finders), else for what it refers to.
        by_span = {(ms[i].start, ms[i].end, ms[i].label): k for k, i in enumerate(order)}
        for i, m in enumerate(ms):
            if i not in index:
                k = by_span.get((m.start, m.end, m.label))
                if k is None:
                    ref = self._ref(ms, m, index)
                    k = ref if ref >= 0 else None
                if k is not None:
                    index[i] = k
        for row, i in zip(rows, order):
            if row[6] < 0 and ms[i].refers is not None and ms[i].refers in index:
                row[6] = index[ms[i].refers]
        doc.user_data[MENTIONS_KEY] = rows
        doc.spans[SPANS_KEY] = SpanGroup(doc, name=SPANS_KEY, spans=spans)
        doc.ents = filter_spans([span for span, row in zip(spans, rows) if row[5] != "anaphor"])
        doc.user_data[RELATIONS_KEY] = [
            [r.type, index[r.head], index[r.tail], r.start, r.end, r.rule, r.title]
            for r in relations(doc) if r.head in index and r.tail in index]
        doc.user_data[METRICS_KEY] = [
            [index[x.subject], x.name, str(x.value), x.unit, x.as_of, x.text, x.start, x.end, x.rule, x.rank,
             None if x.value_max is None else str(x.value_max)]
            for x in metrics(doc) if x.subject in index]
        # The objects go: what stays is plain data (the caches go with them).
        doc._.kg_mentions = doc._.kg_relations = doc._.kg_metrics = None
        for key in ("kg_live", "kg_live_starts", "kg_layout"):
            doc.user_data.pop(key, None)
        return doc

    @staticmethod
    def _ref(ms, m, index):
        """The standing mention m refers to (through any that lost an overlap), or -1."""
        ref, seen = m.refers, set()
        while ref is not None and ref not in index and ref not in seen:
            seen.add(ref)
            ref = ms[ref].refers
        return index.get(ref, -1) if ref is not None else -1

    @staticmethod
    def _info(info, index):
        out = {}
        for key, value in info.items():
            if key == "unit":
                out[key] = unit_to_plain(value)
            elif key == "owner":
                out[key] = index.get(value, -1)
            elif isinstance(value, tuple):
                out[key] = list(value)
            else:
                out[key] = value
        return out
