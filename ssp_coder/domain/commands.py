"""Every change to a project is a command.

A command validates itself against the scheme and the current state, applies
its change through a ``UnitOfWork`` and returns its inverse. The store runs
``apply`` inside one transaction and writes the audit row; undo/redo executes
the inverse; the window refreshes from the returned change. Invalid commands
raise ``DomainError`` with a message a coder can act on, before anything is
written.
"""

from ssp_coder.domain.coding_commands import (
    KEEP_VIEW,
    AddDIndex,
    AddEvent,
    DeleteDIndex,
    DeleteEvent,
    SetBoundary,
    SetClassification,
    SetCodingNote,
    SetDRating,
    SetEpisodeFlag,
    SetScale,
    UpdateDIndex,
    UpdateEvent,
)
from ssp_coder.domain.command_base import (
    COMMANDS,
    Batch,
    Command,
    command,
    command_from_dict,
)
from ssp_coder.domain.project_commands import (
    AddCoder,
    CreateCoding,
    DeleteCoding,
    MarkComplete,
    RemoveCoder,
    Reopen,
    SetCoderRole,
    SetSetting,
    SetStatus,
)
from ssp_coder.domain.views import SetViewOffset

__all__ = [
    "COMMANDS", "KEEP_VIEW", "AddCoder", "AddDIndex", "AddEvent", "Batch", "Command", "CreateCoding",
    "DeleteCoding",
    "DeleteDIndex", "DeleteEvent", "MarkComplete", "RemoveCoder", "Reopen", "SetBoundary", "SetClassification",
    "SetCoderRole", "SetCodingNote", "SetDRating", "SetEpisodeFlag", "SetScale", "SetSetting", "SetStatus",
    "SetViewOffset", "UpdateDIndex", "UpdateEvent", "command", "command_from_dict",
]
