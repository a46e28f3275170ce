"""A typo in config/ or pipelines/ is a ConfigError naming the file (and line), never a traceback."""
from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

import kg.lexicon
from kg.cli import main
from kg.errors import ConfigError
from kg.paths import ROOT
from kg.nlp.pipeline import load_pipeline


def clear_caches():
    load_pipeline.cache_clear()
    kg.lexicon.word_list.cache_clear()
    kg.lexicon.jsonl.cache_clear()


def private_copy(tmp_path, monkeypatch, folder, env):
    """A private copy of a project folder that `env` points at; caches cleared before and after."""
    copy = tmp_path / folder
    shutil.copytree(ROOT / folder, copy)
    monkeypatch.setenv(env, str(copy))
    clear_caches()
    yield copy
    monkeypatch.delenv(env)
    clear_caches()


@pytest.fixture
def config(tmp_path, monkeypatch):
    yield from private_copy(tmp_path, monkeypatch, "config", "KG_CONFIG_DIR")


@pytest.fixture
def pipelines(tmp_path, monkeypatch):
    yield from private_copy(tmp_path, monkeypatch, "pipelines", "KG_PIPELINES_DIR")


def append_line(path, line):
    """Append a line; return its 1-based number."""
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + line + "\n", encoding="utf-8")
    return text.count("\n") + 1


def expect_config_error(path, line=None):
    with pytest.raises(ConfigError) as info:
        load_pipeline("default")
    err = info.value
    assert str(path) in str(err)
    if line is not None:
        assert err.line == line
        assert f"{path}:{line}:" in str(err)
    return err


def test_bad_json_line(config):
    path = config / "units.jsonl"
    n = append_line(path, '{"unit": "吨", "kind": "measure"')
    err = expect_config_error(path, n)
    assert "JSON" in err.problem


def test_json_line_that_is_not_an_object(config):
    path = config / "anaphora.jsonl"
    n = append_line(path, '["该分公司"]')
    expect_config_error(path, n)


def test_word_list_with_commas(config):
    path = config / "titles.txt"
    n = append_line(path, "行长, 经理")
    err = expect_config_error(path, n)
    assert "','" in err.problem


def test_word_list_not_utf8(config):
    path = config / "honorifics.txt"
    path.write_bytes(path.read_bytes() + "大舅\n".encode("gbk"))
    expect_config_error(path)


def test_missing_word_list(config):
    path = config / "surnames.txt"
    path.unlink()
    err = expect_config_error(path)
    assert "not found" in err.problem


def test_broken_pipeline_cfg(pipelines):
    path = pipelines / "default.cfg"
    path.write_text(path.read_text(encoding="utf-8").replace("[components.sentence_splitter]", "[components.sentence_splitter"),
                    encoding="utf-8")
    expect_config_error(path)


def test_pipeline_cfg_naming_an_unknown_component(pipelines):
    path = pipelines / "default.cfg"
    path.write_text(path.read_text(encoding="utf-8").replace('factory = "kg_part_of_finder"',
                                                             'factory = "kg_no_such_finder"'), encoding="utf-8")
    expect_config_error(path)


def test_unknown_pipeline_name(pipelines):
    with pytest.raises(ConfigError) as info:
        load_pipeline("nosuch")
    assert "nosuch.cfg" in str(info.value) and "default" in str(info.value)


@pytest.mark.parametrize("breakage", ["jsonl", "words", "cfg"])
def test_cli_shows_one_line_error(breakage, config, pipelines, tmp_path):
    if breakage == "jsonl":
        path = config / "relation_cues.jsonl"
        n = append_line(path, "{not json}")
        where = f"{path}:{n}"
    elif breakage == "words":
        path = config / "surnames.txt"
        n = append_line(path, '"王"')
        where = f"{path}:{n}"
    else:
        path = pipelines / "default.cfg"
        path.write_text("[nlp\nlang = zh\n", encoding="utf-8")
        where = str(path)
    page = tmp_path / "p.txt"
    page.write_text("宜昌市分公司开展“周五惠民日”活动。\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(page)])
    assert result.exit_code not in (0, None)
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1
    assert where in errors[0]
    assert result.stdout == ""  # nothing half-extracted before the error
