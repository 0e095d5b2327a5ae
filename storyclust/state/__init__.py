"""Incremental runs: a persistent state folder that takes each day's batch against the whole archive.

    db         the SQLite database (WAL mode), its lock, its settings, the crash-test checkpoints
    copies     every stored article's copies again, with the one-shot duplicate stage; group_ids: groups whose
               ids last, and the events of their changes
    storyline  a batch's stories: the active window re-clustered, its clusters mapped to stable story ids
    remove     an article taken out again (``replace``)
    update     one run of the above in one transaction
    view       the state read back as a run, for the report and the output files; the event log

>>> from storyclust.state import update, read_state          # doctest: +SKIP
>>> report = update("state/", articles)                      # doctest: +SKIP
>>> result = read_state("state/", changed=True)              # doctest: +SKIP
"""

from .db import StateBusy, StateError
from .update import UpdateReport, update
from .view import StoryEvent, events, read_state

__all__ = ["StateBusy", "StateError", "StoryEvent", "UpdateReport", "events", "read_state", "update"]
