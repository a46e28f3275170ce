"""Articles of a page: where each starts and ends, its headline and bylines.

A page holds several articles; what a sentence says is read within its
article (the unit acting, what 该分公司 points to). The splitting itself is
kg.text.segment's, run on the paragraphs the tokenizer kept; a page whose
articles are already known (a PDF page split by its layout) keeps them. A Doc
from another tokenizer is one article.
"""
from __future__ import annotations

from spacy.language import Language

from kg.nlp.tokenizer import article_row
from kg.text.clean import Cleaned, Paragraph
from kg.text.segment import segment


@Language.factory("kg_article_splitter", assigns=["doc.user_data"])
def make_article_splitter(nlp, name):
    return ArticleSplitter()


class ArticleSplitter:
    def __call__(self, doc):
        data = doc.user_data
        if data.get("kg_articles") is not None:
            return doc
        text = data.get("kg_text")
        if text is None:
            text = data["kg_text"] = doc.text
        rows = data.get("kg_paragraphs")
        if not rows:
            data["kg_articles"] = [[0, len(text), None, None, []]]
            return doc
        cleaned = Cleaned(text, None, [Paragraph(*row) for row in rows])
        data["kg_articles"] = [article_row(a) for a in segment(cleaned)] or [[0, len(text), None, None, []]]
        return doc
