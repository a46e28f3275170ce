"""spaCy's Chinese tokenizer, keeping the text it was given.

Rebuilding `doc.text` walks every token in Python; with one token per
character that is a large share of kg's run time. This wrapper runs spaCy's
own `ChineseTokenizer` (char, jieba or pkuseg segmentation, as configured)
and keeps the input string in `doc.user_data["kg_text"]` for the components.
"""
from __future__ import annotations

import spacy
from spacy.lang.zh import ChineseTokenizer


@spacy.registry.tokenizers("kg.ChineseTokenizer.v1")
def create_tokenizer(segmenter: str = "char"):
    def make(nlp):
        return TextKeepingTokenizer(nlp.vocab, segmenter=segmenter)

    return make


class TextKeepingTokenizer(ChineseTokenizer):
    def __call__(self, text):
        doc = super().__call__(text)
        doc.user_data["kg_text"] = text
        return doc
