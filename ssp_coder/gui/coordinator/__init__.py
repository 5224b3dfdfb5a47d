"""The coordinator's and trainer's windows: reliability, trial export and summary, coder packages.

Coders never see these (they would show other coders' work, arm and
timepoint); ``menus.install_coordinator_menus`` adds the Trial menu only for
the coordinator and trainer roles.
"""
