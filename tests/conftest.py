"""Shared test fixtures. Real data lives in ../shared (beside the project); tests that read it skip
cleanly when it is absent, and never copy its text into the project."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or skip the test when that folder is absent."""
    data = SHARED / "data"
    if not data.is_dir():
        pytest.skip("../shared/data is absent")
    return data


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    seed = SHARED / "seed"
    if not seed.is_dir():
        pytest.skip("../shared/seed is absent")
    return seed


# The slow groups, each a marker, all also marked `slow`: `pytest -m "not slow"` is the fast suite
# a developer runs while working; CI runs everything. One table, so a new slow test is one line.
SLOW_GROUPS = {
    "browser": ("test_browser.py",),
    "notebook": ("test_notebook.py",),
    "training": ("test_train_ranker.py", "test_train_summarizer.py", "test_tagging_transformers.py"),
    "ray": ("test_batch_ray.py",),
    "kill": ("test_batch.py::test_kill_minus_nine_then_resume",
             "test_batch_hostile.py::test_killing_the_parent_leaves_no_worker_running",
             "test_batch_hostile.py::test_a_worker_that_dies_is_recorded_and_the_batch_goes_on"),
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        file_name = Path(str(item.fspath)).name
        test_id = f"{file_name}::{item.originalname}"
        for group, members in SLOW_GROUPS.items():
            if file_name in members or test_id in members:
                item.add_marker(getattr(pytest.mark, group))
                item.add_marker(pytest.mark.slow)
