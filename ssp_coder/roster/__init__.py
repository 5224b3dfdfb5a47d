"""Roster import: the list of participants, timepoints, arms and videos to code."""

from ssp_coder.roster.blinding import new_blinded_code
from ssp_coder.roster.importer import RosterReport, import_roster

__all__ = ["RosterReport", "import_roster", "new_blinded_code"]
