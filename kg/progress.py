"""Progress display for runs over many files: a spinner with a count on stderr (rich)."""
from __future__ import annotations

from contextlib import contextmanager

from rich.console import Console
from rich.live import Live
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.spinner import Spinner


@contextmanager
def file_progress(enabled: bool = True, what: str = "reading"):
    """Yield a `tick(path)` callable that advances the display; a no-op when disabled or not a terminal."""
    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield lambda path: None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed} files"),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task(what, total=None)

        def tick(path):
            bar.update(task, advance=1, description=f"{what} {path}")

        yield tick


@contextmanager
def status(enabled: bool = True):
    """Yield a `say(message)` callable showing one changing status line on stderr; a no-op
    when disabled or when stderr is not a terminal (so piped output stays clean)."""
    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield lambda message: None
        return
    spinner = Spinner("dots", text="")
    with Live(spinner, console=console, transient=True, refresh_per_second=12.5) as line:
        def say(message):
            # Drawn at once, not at the next tick: a stage shorter than a tick is still shown.
            spinner.update(text=message)
            line.refresh()

        yield say
