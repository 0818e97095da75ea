"""Meeting scheduler for matchmaking fairs (科技成果转化对接洽谈会).

Plain Python, no Django: the events app turns requests and availability into an
:class:`Instance`, calls :func:`schedule` (or :func:`replan` after late changes) and stores
the resulting placements. CP-SAT does the optimisation; :func:`greedy` and :func:`lp_bound`
are the baseline and the proof of quality reported next to every result.
"""

from .generate import generate_instance
from .lp import lp_bound
from .model import Instance, MeetingRequest, Participant, Placement, ScheduleResult, Slot, Unplaced
from .solver import greedy, replan, schedule

__all__ = [
    "Instance",
    "MeetingRequest",
    "Participant",
    "Placement",
    "ScheduleResult",
    "Slot",
    "Unplaced",
    "generate_instance",
    "greedy",
    "lp_bound",
    "replan",
    "schedule",
]
