"""Shared by the import tests: uploaded files go to a temporary data directory."""

import pytest


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path
