"""Where the project's data lives: `config/` (patterns, word lists) and `pipelines/` (spaCy configs).

Both sit beside the `kg` package in the source tree; KG_CONFIG_DIR and
KG_PIPELINES_DIR point elsewhere for users with their own rules.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def config_dir() -> Path:
    return Path(os.environ.get("KG_CONFIG_DIR") or ROOT / "config")


def pipelines_dir() -> Path:
    return Path(os.environ.get("KG_PIPELINES_DIR") or ROOT / "pipelines")
