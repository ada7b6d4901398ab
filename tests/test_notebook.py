"""notebooks/quickstart.ipynb runs top to bottom (nbclient, this interpreter's kernel), so it cannot rot."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "quickstart.ipynb"


def test_quickstart_notebook_executes():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from jupyter_client.kernelspec import KernelSpecManager

    nb = nbformat.read(NOTEBOOK, as_version=4)
    # The "python3" spec says argv[0] = "python", which jupyter_client replaces with sys.executable:
    # the kernel runs in this (the venv's) interpreter. Check that rather than assume it.
    spec = KernelSpecManager().get_kernel_spec("python3")
    assert spec.argv[0] in ("python", "python3", sys.executable), spec.argv
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert f"kernel: {sys.executable}" in text, "the kernel runs in this interpreter (the venv)"
    assert "summary:" in text and "12 analysed; 1 failed" in text
    assert any("image/png" in o.get("data", {}) for o in outputs), "the plot was drawn"
