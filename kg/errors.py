"""Errors the library raises on purpose; the CLI shows them as one line."""


class KgError(Exception):
    """A problem the user can act on (bad input, bad config, unreachable server)."""


class ConfigError(KgError):
    """A malformed pattern, word list or pipeline config: names the file and line."""

    def __init__(self, path, line, problem):
        self.path, self.line, self.problem = str(path), line, problem
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {problem}")


class InputError(KgError):
    """An input file that cannot be read as a page of text."""

    def __init__(self, path, problem):
        self.path, self.problem = str(path), problem
        super().__init__(f"{self.path}: {problem}")
