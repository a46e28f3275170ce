"""Where kg finds a Neo4j server and how it logs in.

Precedence, highest first: command-line options, the environment
(NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE), `./kg.toml`
(its `[neo4j]` table), `~/.config/kg/neo4j.toml` (top level or `[neo4j]`),
then defaults. The password never comes from an option, so it never sits in
shell history or `ps`; `redacted_uri` is what errors and logs show.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from kg.errors import KgError

DEFAULT_URI = "bolt://localhost:7687"
DEFAULT_USERNAME = "neo4j"
KEYS = ("uri", "username", "password", "database")
ENV = {"uri": "NEO4J_URI", "username": "NEO4J_USERNAME", "password": "NEO4J_PASSWORD",
       "database": "NEO4J_DATABASE"}


def redacted_uri(uri: str) -> str:
    """The URI with any password in it removed (bolt://user:pw@h:7687 → bolt://user@h:7687)."""
    try:
        parts = urlsplit(uri)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "<unparseable URI>"
    if parts.password is None and "@" not in parts.netloc:
        return uri
    netloc = (f"{parts.username}@" if parts.username else "") + (f"[{host}]" if ":" in host else host)
    if port:
        netloc += f":{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str = DEFAULT_URI
    username: str = DEFAULT_USERNAME
    password: str | None = field(default=None, repr=False)
    database: str | None = None
    # Seconds: how long one connection attempt may take, and how long the
    # driver keeps retrying a transaction that failed transiently.
    connection_timeout: float = 10.0
    max_retry_time: float = 15.0

    def redacted_uri(self) -> str:
        return redacted_uri(self.uri)

    def auth(self) -> tuple[str, str]:
        return (self.username, self.password or "")

    def with_password(self, password: str) -> "Neo4jSettings":
        return replace(self, password=password)


def default_config_files() -> list[Path]:
    """Config files read, lowest precedence first."""
    home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return [home / "kg" / "neo4j.toml", Path("kg.toml")]


def _read_config(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KgError(f"{path}: cannot read Neo4j settings ({' '.join(str(exc).split())})") from None
    table = data.get("neo4j", data if path.name == "neo4j.toml" else {})
    if not isinstance(table, dict):
        raise KgError(f"{path}: [neo4j] must be a table")
    if "user" in table and "username" not in table:
        table = {**table, "username": table["user"]}
    values = {}
    for key in KEYS:
        if key in table:
            if not isinstance(table[key], str):
                raise KgError(f"{path}: neo4j {key} must be a string")
            values[key] = table[key]
    return values


def load_settings(*, uri=None, username=None, database=None, env=None, config_files=None) -> Neo4jSettings:
    """Settings from options (None = not given) over env vars over config files over defaults."""
    env = os.environ if env is None else env
    values: dict = {}
    for path in default_config_files() if config_files is None else config_files:
        values.update(_read_config(Path(path)))
    for key, var in ENV.items():
        if env.get(var) is not None and (env[var] != "" or key == "password"):
            values[key] = env[var]
    options = {"uri": uri, "username": username, "database": database}
    values.update({k: v for k, v in options.items() if v is not None})
    return Neo4jSettings(**values)
