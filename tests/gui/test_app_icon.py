"""The window icon comes from the shipped icons (top-level resources/, installed inside the package)."""

import pytest

pytestmark = pytest.mark.gui


def test_the_application_has_the_shipped_icon(qapp):
    from ssp_coder.gui.app import application

    app = application()
    sizes = {s.width() for s in app.windowIcon().availableSizes()}
    assert {16, 24, 32, 48, 64, 128, 256} <= sizes
