"""Where kg finds a Neo4j server and how it logs in.

Precedence, highest first: command-line options, the environment
(NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE), `./kg.toml`
(its `[neo4j]` table), `~/.config/kg/neo4j.toml` (top level or `[neo4j]`),
then defaults. The password never comes from an option, so it never sits in
shell history or `ps`; `redacted_uri` is what errors and logs show.

A password goes only to the server configured beside it: the URI of the
same file or of the same environment (or the default URI when that source
names none), or one typed with --uri. A `kg.toml` in the current folder that
names another server while the password comes from the environment or
~/.config is a mismatch (`Neo4jSettings.password_mismatch`): the CLI asks
before sending the password there, and refuses when it cannot ask.

FalkorDB (`kg load --falkordb URL`): the URL is the one typed; its password
comes from the URL, else FALKORDB_PASSWORD, else `password` in the
`[falkordb]` table of ./kg.toml or ~/.config/kg/falkordb.toml.
"""
from __future__ import annotations

import os
import re
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


# Query parameters that carry secrets (?password=…, ?token=…) are masked too.
_SECRET_PARAM = re.compile(r"(?i)([?&;](?:password|passwd|pass|pwd|secret|token|auth|credentials?|key)=)[^&;#]*")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def redacted_uri(uri: str) -> str:
    """The URI with any password in it removed (bolt://user:pw@h:7687 → bolt://user@h:7687).

    A value that is not a URI at all (a password pasted into NEO4J_URI) is
    never echoed: it shows as `<not a URI>`.
    """
    if not _SCHEME.match(uri or ""):
        return "<not a URI>"
    try:
        parts = urlsplit(uri)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "<unparseable URI>"
    query = _SECRET_PARAM.sub(r"\1***", "?" + parts.query)[1:] if parts.query else parts.query
    if parts.password is None and "@" not in parts.netloc:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
    netloc = (f"{parts.username}@" if parts.username else "") + (f"[{host}]" if ":" in host else host)
    if port:
        netloc += f":{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def uri_password(uri: str | None) -> str | None:
    """The password written in a URI's user part (bolt://user:pw@…), if any."""
    try:
        return urlsplit(uri or "").password
    except ValueError:
        return None


def mask_secrets(text: str, uri: str | None, password: str | None) -> str:
    """`text` with the URI's password field and the auth value masked, never mere substrings.

    A driver may echo the URI (its password field is replaced) or the auth
    value as a quoted string ('pw', "pw") or after `password=`; a password of
    `1` leaves 127.0.0.1 as it is.
    """
    if uri:
        text = text.replace(uri, redacted_uri(uri))
    # Any other URI's user:password@ part.
    text = re.sub(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s/@:]*):[^\s/@]*@", r"\1:***@", text)
    for secret in {password, uri_password(uri)} - {None, ""}:
        quoted = re.escape(secret)
        text = re.sub(rf"(['\"]){quoted}\1", r"\1***\1", text)
        text = re.sub(rf"(?i)\b((?:password|passwd|pwd|credentials)\s*[=:]\s*){quoted}(?![\w.])", r"\1***", text)
    return text


def _server(uri: str | None, default_port: int) -> tuple[str, int] | None:
    try:
        parts = urlsplit(uri or "")
        return (parts.hostname or "").lower(), parts.port or default_port
    except ValueError:
        return None


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
    # Where the uri and the password were read ("--uri", "the environment", a
    # file), and the URI configured beside the password: see password_mismatch.
    uri_source: str = field(default="the default", compare=False)
    password_source: str | None = field(default=None, compare=False)
    password_for: str | None = field(default=None, compare=False, repr=False)

    def redacted_uri(self) -> str:
        return redacted_uri(self.uri)

    def auth(self) -> tuple[str, str]:
        return (self.username, self.password or "")

    def with_password(self, password: str) -> "Neo4jSettings":
        """Settings with a password the user typed for this very URI."""
        return replace(self, password=password, password_source="the prompt", password_for=self.uri)

    def password_mismatch(self) -> str | None:
        """Why the password should not go to `uri` without asking, or None when it may.

        It may when there is none to leak, when it is written in the URI itself,
        when the URI was typed with --uri, or when the URI names the server
        the password's own source (file or environment) names.
        """
        if not self.password or self.password_for is None or self.uri_source == "--uri":
            return None
        if uri_password(self.uri) == self.password:
            return None
        if _server(self.uri, 7687) == _server(self.password_for, 7687):
            return None
        return (f"{self.redacted_uri()} comes from {self.uri_source}, but the password comes from "
                f"{self.password_source}, which names {redacted_uri(self.password_for)}")


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
    """Settings from options (None = not given) over env vars over config files over defaults.

    Each source's password is tied to the URI the same source gives (the
    default URI if it gives none), for `Neo4jSettings.password_mismatch`.
    """
    env = os.environ if env is None else env
    sources: list[tuple[str, dict]] = []
    for path in default_config_files() if config_files is None else config_files:
        sources.append((str(path), _read_config(Path(path))))
    sources.append(("the environment (NEO4J_URI, NEO4J_PASSWORD)",
                    {key: env[var] for key, var in ENV.items()
                     if env.get(var) is not None and (env[var] != "" or key == "password")}))
    sources.append(("--uri", {"uri": uri} if uri is not None else {}))
    values: dict = {}
    for source, found in sources:
        values.update(found)
        if "uri" in found:
            values["uri_source"] = source
        if "password" in found:
            values["password_source"] = source
            values["password_for"] = found.get("uri", DEFAULT_URI)
    options = {"username": username, "database": database}
    values.update({k: v for k, v in options.items() if v is not None})
    return Neo4jSettings(**values)


def falkordb_password(url: str, *, env=None, config_files=None) -> str | None:
    """The FalkorDB password for `url`: the one in the URL, else FALKORDB_PASSWORD, else a config file's."""
    if uri_password(url):
        return uri_password(url)
    env = os.environ if env is None else env
    if env.get("FALKORDB_PASSWORD"):
        return env["FALKORDB_PASSWORD"]
    password = None
    if config_files is None:
        home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        config_files = [home / "kg" / "falkordb.toml", Path("kg.toml")]
    for path in config_files:
        path = Path(path)
        try:
            with open(path, "rb") as f:
                data = tomllib.load(f)
        except FileNotFoundError:
            continue
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise KgError(f"{path}: cannot read FalkorDB settings ({' '.join(str(exc).split())})") from None
        table = data.get("falkordb", data if path.name == "falkordb.toml" else {})
        if not isinstance(table, dict):
            raise KgError(f"{path}: [falkordb] must be a table")
        if "password" in table:
            if not isinstance(table["password"], str):
                raise KgError(f"{path}: falkordb password must be a string")
            password = table["password"]
    return password
