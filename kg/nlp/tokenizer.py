"""The kg tokenizer: a page in, its cleaned text as a spaCy Doc.

`nlp(page)` takes text as PDF extraction gives it. The tokenizer first undoes
the extraction's artefacts (kg.text.clean: lines broken mid-phrase, spaces
inside words), so `doc.text` is the cleaned page, then runs spaCy's own
`ChineseTokenizer` (char, jieba or pkuseg segmentation, as configured).

It keeps, as plain data in `doc.user_data` (so docs pickle and cross
processes): the cleaned text itself (`kg_text`, read by the components
without rebuilding `doc.text` token by token) and the page's paragraphs
(`kg_paragraphs`), from which `kg_article_splitter` reads the articles.
`page_doc` builds the same Doc from text already cleaned and split into
articles (a PDF page read by its layout).

pkuseg needs a model folder, which spacy-pkuseg does not ship: it is given
in the pipeline config (`pkuseg_model` under `[nlp.tokenizer]`) or in
KG_PKUSEG_MODEL, and loaded when the pipeline is built, so a missing model is
one clear line before any page is read. kg never lets spacy-pkuseg fetch a
named model from the internet.
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Optional

import spacy
from spacy.lang.zh import ChineseTokenizer
from spacy.tokens import Doc

from kg.text.clean import clean_text

PKUSEG_MODEL_ENV = "KG_PKUSEG_MODEL"


class SegmenterError(ValueError):
    """A segmenter that cannot run as configured (load_pipeline names the config file)."""


@spacy.registry.tokenizers("kg.ChineseTokenizer.v1")
def create_tokenizer(segmenter: str = "char", clean: bool = True, pkuseg_model: Optional[str] = None,
                     pkuseg_user_dict: str = "default"):
    def make(nlp):
        tokenizer = PageTokenizer(nlp.vocab, segmenter=segmenter, clean=clean)
        if segmenter == "pkuseg":
            tokenizer.initialize(pkuseg_model=_pkuseg_model(pkuseg_model), pkuseg_user_dict=pkuseg_user_dict)
        return tokenizer

    return make


def _pkuseg_model(configured) -> str:
    model = configured or os.environ.get(PKUSEG_MODEL_ENV)
    if importlib.util.find_spec("spacy_pkuseg") is None:
        raise SegmenterError("the pkuseg segmenter needs spacy-pkuseg: pip install 'kg[pkuseg]'")
    if not model:
        raise SegmenterError(f"the pkuseg segmenter needs a model: set pkuseg_model under [nlp.tokenizer] "
                             f"in this file, or {PKUSEG_MODEL_ENV}, to a pkuseg model folder "
                             f"(spacy-pkuseg ships none)")
    if not Path(model).is_dir():
        raise SegmenterError(f"pkuseg_model {model!r} is not a folder; give the folder of a pkuseg model "
                             f"(named models would be downloaded, which kg does not do)")
    return str(model)


class PageTokenizer(ChineseTokenizer):
    def __init__(self, vocab, segmenter: str = "char", clean: bool = True):
        super().__init__(vocab, segmenter=segmenter)
        self.clean = clean

    def __call__(self, text):
        if not self.clean:
            doc = self._tokens(text)
            doc.user_data["kg_text"] = text
            return doc
        return self.page_doc(clean_text(text))

    def _tokens(self, text):
        if self.segmenter != "char":
            return super().__call__(text)
        # One token a character, as spaCy's char segmenter gives, built directly:
        # spaCy aligns its words to the text one by one, several times slower.
        words, spaces = [], []
        for k, piece in enumerate(text.split(" ")):
            if k:  # a space stood here: the previous character's trailing space, or a token
                if words and not spaces[-1] and not words[-1].isspace():
                    spaces[-1] = True
                else:
                    words.append(" ")
                    spaces.append(False)
            words.extend(piece)
            spaces.extend([False] * len(piece))
        return Doc(self.vocab, words=words, spaces=spaces)

    def page_doc(self, cleaned, articles=None):
        """The Doc of a cleaned page (`kg.text.clean.Cleaned`), with its articles if known."""
        doc = self._tokens(cleaned.text)
        data = doc.user_data
        data["kg_text"] = cleaned.text
        data["kg_paragraphs"] = [[p.start, p.end, p.lines, p.width, p.last_width, p.kind] for p in cleaned.paragraphs]
        if articles is not None:
            data["kg_articles"] = [article_row(a) for a in articles]
        return doc


def article_row(article) -> list:
    """An article (kg.text.segment.Article) as plain data: start, end, title, subtitle, bylines."""
    return [article.start, article.end, article.title, article.subtitle, list(article.bylines)]
