"""notebooks/kg_tour.ipynb runs top to bottom on a fresh kernel without an error."""
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


@pytest.mark.slow
def test_tour_runs_without_errors():
    import nbformat  # a test dependency: missing, the test fails rather than skips
    from nbclient import NotebookClient

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
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the chart was drawn
