"""One page as kg read it: every mention highlighted, each article's relations and figures under it.

displaCy's span view (`style="span"`, the `kg` span group) draws the
mentions, overlaps and all, in the colours the graph view uses; under each
article come the relations and figures read in it, with the rule that read
them, so a reader (or a developer chasing a wrong rule) sees what was read
and why. The page is self-contained HTML.
"""
from __future__ import annotations

import html

from spacy import displacy

from kg.explore.display import format_metric
from kg.explore.viz import COLOURS

LABEL_COLOURS = {label.upper(): colour for label, colour in COLOURS.items()}

_STYLE = """
body { font-family: "Noto Sans CJK SC","Noto Sans SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;
       margin: 2em auto; max-width: 60em; line-height: 1.6; color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 2em; border-top: 1px solid #ccc; padding-top: 1em; }
.legend span { display: inline-block; padding: 0 .6em; margin-right: .4em; border-radius: 3px; color: #fff; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: .9em; }
td, th { border-bottom: 1px solid #eee; padding: .2em .6em; text-align: left; vertical-align: top; }
.rule { color: #888; font-size: .85em; }
"""


def render_page(doc, record: dict, title: str) -> str:
    """The HTML page of one Doc read by kg's pipeline, with its record (kg.nlp.extract.record_from_doc):
    the mentions from the Doc, the relations and figures as the record states them."""
    legend = "".join(f'<span style="background:{c}">{html.escape(label)}</span>'
                     for label, c in LABEL_COLOURS.items())
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
             f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
             f"<p class='legend'>{legend}</p>"]
    articles = doc._.kg_articles or [[0, len(doc.text), None, None, []]]
    for k, (start, end, head, subtitle, bylines) in enumerate(articles):
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or not span.text.strip():
            continue
        piece = span.as_doc()
        piece.spans["kg"] = [piece.char_span(s.start_char - span.start_char, s.end_char - span.start_char,
                                             label=s.label_, alignment_mode="expand")
                             for s in doc.spans.get("kg", []) if start <= s.start_char and s.end_char <= end]
        name = head or f"Article {k + 1}"
        parts.append(f"<h2>{html.escape(name)}</h2>")
        if subtitle:
            parts.append(f"<p><i>{html.escape(subtitle)}</i></p>")
        parts.append(displacy.render(piece, style="span", page=False,
                                     options={"spans_key": "kg", "colors": LABEL_COLOURS}))
        parts.append(_relations(record, k))
        parts.append(_figures(record, k))
    parts.append("</body></html>")
    return "".join(parts)


def _relations(record, article) -> str:
    rows = [r for r in record["relations"] if r["article"] == article]
    if not rows:
        return ""
    cells = "".join(
        f"<tr><td>{html.escape(r['head']['name'])}</td><td>{r['type']}"
        f"{' (' + html.escape(r['title']) + ')' if r['title'] else ''}</td>"
        f"<td>{html.escape(r['tail']['name'])}</td><td class='rule'>{html.escape(r['rule'])}</td></tr>"
        for r in rows)
    return f"<table><tr><th>head</th><th>relation</th><th>tail</th><th>rule</th></tr>{cells}</table>"


def _figures(record, article) -> str:
    rows = [m for m in record["metrics"] if m["article"] == article]
    if not rows:
        return ""
    cells = "".join(
        f"<tr><td>{html.escape(m['subject']['name'])}</td><td>{html.escape(m['name'])}</td>"
        f"<td>{html.escape(format_metric(m))}</td>"
        f"<td>{html.escape(m['as_of'] or '')}</td><td class='rule'>{html.escape(m['rule'])}</td></tr>"
        for m in rows)
    return f"<table><tr><th>subject</th><th>figure</th><th>value</th><th>as of</th><th>rule</th></tr>{cells}</table>"
