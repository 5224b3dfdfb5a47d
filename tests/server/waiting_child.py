"""Run by test_window_waiting: a real window loses the server, keeps two changes, reports, and waits to be killed."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402

from ssp_coder.domain.commands import AddEvent, SetClassification  # noqa: E402
from ssp_coder.gui.app import application, build_window  # noqa: E402
from ssp_coder.store.pg_conn import ServerConnection  # noqa: E402
from ssp_coder.store.project import Project  # noqa: E402


def main(url: str, dead: str, settings_path: str) -> None:
    app = application()
    project = Project.open(url)
    win = build_window(project, project.coder("Ann"), QSettings(settings_path, QSettings.Format.IniFormat),
                       decode_video=False, ask_relink=False)
    win.show()
    win.open_first_coding()
    c = win.controller
    cid = c.coding_id
    project.conn.url = win.server_watch.url = dead          # the network goes
    with ServerConnection(url) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE application_name = 'ssp-coder' AND pid <> pg_backend_pid()")
    c.execute(AddEvent(cid, "cry", 1_000, 2_000))
    c.execute(SetClassification(cid, "C1"))
    print(f"held {c.waiting_count} {cid}", flush=True)
    app.exec()                                              # until killed


if __name__ == "__main__":
    main(*sys.argv[1:4])
