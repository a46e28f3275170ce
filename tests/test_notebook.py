"""notebooks/kg_tour.ipynb runs top to bottom on a fresh kernel without an error,
leaves no temporary folder behind, and its chart's labels stay inside the picture."""
import base64
import io
import json
import re
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "kg_tour.ipynb"


def _text(output) -> str:
    if output.get("output_type") == "stream":
        return output.get("text", "")
    data = output.get("data", {})
    return data.get("text/html", "") or data.get("text/plain", "")


def chart_overflow(png: bytes) -> list[str]:
    """Where the chart draws outside its frame: text past the axes' right edge or off the picture."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    px = image.load()
    dark = [[px[x, y] < 110 for y in range(height)] for x in range(width)]
    # The right spine: the rightmost column that is dark over a long run (the axes' frame).
    spines = [x for x in range(width) if sum(dark[x]) > height * 0.4]
    problems = []
    if spines:
        right = max(spines)
        if any(px[x, y] < 200 for x in range(right + 3, width) for y in range(height)):
            problems.append("something is drawn right of the axes (a figure's label runs past the frame)")
    edge = [(x, y) for x in (0, 1, width - 2, width - 1) for y in range(height) if px[x, y] < 200]
    edge += [(x, y) for y in (0, 1, height - 2, height - 1) for x in range(width) if px[x, y] < 200]
    if edge:
        problems.append(f"something touches the picture's edge at {edge[:3]}")
    return problems


@pytest.mark.slow
def test_tour_runs_without_errors(tmp_path, monkeypatch):
    import nbformat  # a test dependency: missing, the test fails rather than skips
    from nbclient import NotebookClient

    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the kernel's temporary folders go here

    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError naming the cell that failed

    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "\n".join(_text(o) for o in outputs)
    summary = json.loads(re.search(r"TOUR-SUMMARY (\{.*\})", text).group(1))
    assert summary["documents"] >= 1 and summary["entities"] >= 1
    assert "<iframe srcdoc=" in text  # the graph view was embedded
    charts = [o["data"]["image/png"] for o in outputs if "image/png" in o.get("data", {})]
    assert charts  # the chart was drawn...
    assert chart_overflow(base64.b64decode(charts[0])) == []  # ...with every label inside it
    assert list(tmp_path.glob("kg-tour-*")) == []  # and the tour cleaned up after itself
