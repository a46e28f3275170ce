"""The bundled pipeline configs: jieba and pkuseg build, and pkuseg says in one line what it needs.

pkuseg is run for real with a model trained here in a fraction of a second on
a few invented sentences (spacy-pkuseg ships no model and kg downloads none).
"""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import unavailable

from kg.cli import main
from kg.errors import ConfigError
from kg.nlp.extract import extract_text
from kg.nlp.pipeline import load_pipeline

TRAINING = "江南 省 青岚 市 邮政 分公司 开展 “ 周三 会员日 ” 活动 。\n北山 县 支行 新增 贷款 3 亿元 。\n" * 20
PAGE = "近年来，江南省青岚市邮政分公司坚持以客户为本，开展“周三会员日”活动。\n"


@pytest.fixture(autouse=True)
def fresh_pipelines(monkeypatch):
    monkeypatch.delenv("KG_PKUSEG_MODEL", raising=False)
    load_pipeline.cache_clear()
    yield
    load_pipeline.cache_clear()


@pytest.fixture(scope="module")
def pkuseg_model(tmp_path_factory):
    try:
        import spacy_pkuseg
    except ImportError:
        unavailable("spacy-pkuseg is not installed (pip install -e '.[test]')")

    work = tmp_path_factory.mktemp("pkuseg")
    (work / "train.txt").write_text(TRAINING, encoding="utf-8")
    spacy_pkuseg.train(str(work / "train.txt"), str(work / "train.txt"), str(work / "model"), train_iter=2)
    return work / "model"


def test_pkuseg_without_a_model_says_what_to_set():
    with pytest.raises(ConfigError) as caught:
        load_pipeline("pkuseg")
    message = str(caught.value)
    assert "initialize" not in message  # the config itself is valid
    assert "pkuseg.cfg" in message and "pkuseg_model" in message and "KG_PKUSEG_MODEL" in message
    assert "\n" not in message
    result = CliRunner().invoke(main, ["extract", "--pipeline", "pkuseg", "-"])
    assert result.exit_code == 1 and result.output.count("\n") == 1 and "pkuseg_model" in result.output


def test_pkuseg_never_fetches_a_named_model(monkeypatch):
    monkeypatch.setenv("KG_PKUSEG_MODEL", "spacy_ontonotes")  # spacy-pkuseg would download this
    with pytest.raises(ConfigError, match="not a folder"):
        load_pipeline("pkuseg")


def test_pkuseg_with_a_model_reads_a_page(pkuseg_model, monkeypatch):
    monkeypatch.setenv("KG_PKUSEG_MODEL", str(pkuseg_model))
    nlp = load_pipeline("pkuseg")
    words = [t.text for t in nlp.tokenizer("青岚市邮政分公司开展活动")]
    assert "分公司" in words  # words, not characters
    record = extract_text(PAGE, "page.txt", pipeline="pkuseg")
    names = {e["name"] for e in record["entities"]}
    assert "江南省青岚市邮政分公司" in names and "周三会员日" in names
    assert record == extract_text(PAGE, "page.txt")  # the segmenter changes nothing kg finds


def test_jieba_pipeline_reads_a_page():
    record = extract_text(PAGE, "page.txt", pipeline="jieba")
    assert record == extract_text(PAGE, "page.txt")
