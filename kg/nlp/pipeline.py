"""Build the spaCy pipeline from a config in `pipelines/`.

`load_pipeline("default")` reads pipelines/default.cfg (or any .cfg path),
points `${paths.config}` at the project's config/ folder, and lets spaCy
assemble the components registered by `kg.nlp.components`. A broken config is a
`ConfigError` naming the file, not a traceback.
"""
from __future__ import annotations

import configparser
from functools import lru_cache
from pathlib import Path

import spacy
from thinc.api import ConfigValidationError

import kg.nlp.components  # noqa: F401  (registers the factories)
import kg.nlp.tokenizer  # noqa: F401  (registers the tokenizer)
from kg.errors import ConfigError
from kg.paths import config_dir, pipelines_dir


def pipeline_path(name: str) -> Path:
    path = Path(name)
    if path.suffix == ".cfg" or path.exists():
        return path
    return pipelines_dir() / f"{name}.cfg"


@lru_cache(maxsize=4)
def load_pipeline(name: str = "default"):
    """The pipeline kg's own commands share (built once per process).

    It lives as long as the process, so it (and spaCy's modules) are frozen out of the
    cyclic garbage collector: otherwise every full collection while pages are read and
    their facts stored walks the pipeline's objects again (gc.freeze).
    """
    import gc

    nlp = build_pipeline(name)
    gc.freeze()
    return nlp


def build_pipeline(name: str = "default"):
    """A new pipeline from a config in pipelines/ or a .cfg path."""
    path = pipeline_path(name)
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in pipelines_dir().glob("*.cfg")))
        raise ConfigError(path, None, f"no such pipeline config (known: {known})")
    try:
        config = spacy.util.load_config(path, overrides={"paths.config": str(config_dir())}, interpolate=False)
        return spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    except ConfigError:
        raise
    except ConfigValidationError as exc:
        first = str(exc).strip().splitlines()
        detail = " ".join(line.strip() for line in first[1:4] if line.strip()) or first[0]
        raise ConfigError(path, None, f"invalid pipeline config: {detail}") from None
    except configparser.Error as exc:  # a malformed section or a key given twice
        raise ConfigError(path, getattr(exc, "lineno", None), f"invalid pipeline config: {exc.message.splitlines()[0]}") from None
    except (ValueError, KeyError, OSError, ImportError) as exc:
        raise ConfigError(path, None, f"cannot build the pipeline: {str(exc).splitlines()[0]}") from None
