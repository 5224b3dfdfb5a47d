"""The list of changes not saved yet fits a laptop screen, whatever its sentences say."""

from __future__ import annotations

from types import SimpleNamespace


def test_the_waiting_changes_list_wraps_its_text_to_fit_a_1366_screen(qapp) -> None:
    from PySide6.QtWidgets import QLabel, QWidget

    from ssp_coder.gui.waiting_view import WaitingChangesDialog

    reason = ("Sending stopped: this coding was changed by Bob at 14:03 UTC since you loaded it, so your waiting "
              "changes were not sent; review them against what is on the server now, then click Send now, or "
              "discard them. Nothing of them has been saved on the project server.")
    change = SimpleNamespace(made_at="2026-12-03T14:02:11Z", name="Add 'cry'")
    view = SimpleNamespace(controller=SimpleNamespace(waiting=SimpleNamespace(changes=[change], held_back=reason)))
    parent = QWidget()
    dialog = WaitingChangesDialog(view, parent)
    dialog.show()
    qapp.processEvents()
    assert dialog.frameGeometry().width() <= 700
    texts = [label for label in dialog.findChildren(QLabel) if label.text() == reason]
    assert texts and texts[0].width() <= dialog.width() and texts[0].height() >= 2 * texts[0].fontMetrics().height()
    dialog.close()
    parent.close()
