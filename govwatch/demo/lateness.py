"""Why cases run late in the demo region: hard items, slow units, backlogs and long holidays.

The generator asks `Pace.draw` how many working days a case will take, when the case is accepted.
A case either runs its item's normal course (done within its promised days, early or late in the
window by the item's pace and its unit's speed) or it gets stuck — a countersignature (会签) that
waits, a site inspection that slips, an expert who does not answer — and takes days to weeks more.
The chance of getting stuck is made of what a supervisor would recognise:

- the item: approvals with long time limits and several steps get stuck far more often than
  certificates handed out the same day, and within one length some items are simply harder;
- the unit: a few units are slow (understaffed, badly organised): they take longer for everything
  and get stuck more often;
- the backlog: staff-shortage episodes of a few weeks (人员抽调, 集中培训, 请假) slow a unit down, its
  running cases pile up above their usual level, and the more they pile up the more get stuck;
- long holidays inside the case's time (Spring Festival, National Day): counterparts are away;
- and a little lateness that nobody could foresee.

None of this is written in the files. A model sees only what any region's files hold (the items,
the units, the moments of each case's events) and has to learn these effects from history; the
case-by-case draws keep any single case uncertain.

The pace has its own random stream, seeded once from the generator's, so the rest of the region
does not shift when these numbers are tuned.
"""

from __future__ import annotations

import heapq
import math
import random
from bisect import bisect_left
from dataclasses import dataclass, field

# The chance of getting stuck, on the logit scale. Items with a few days are routine and almost
# never stuck (instant items, 即办件, never: one that cannot be done at the window is turned into a
# promised item); from HARD_FROM_DAYS on, the longer the time limit the more steps (other
# departments' opinions, site visits, expert reviews) and the more often one of them waits, with a
# spread between items of one length. Units, backlogs and holidays multiply the odds.
ROUTINE_LOGIT = (-8.0, 0.5)  # mean, spread
HARD_FROM_DAYS = 3
HARD_LOGIT = -6.2
LENGTH_LOGIT = 2.0  # per log(1 + promised days), up to LENGTH_CAP days
LENGTH_CAP = 10
ITEM_SPREAD = 0.8
SLOW_UNIT_SHARE = 0.15
SLOW_UNIT_LOGIT = (1.5, 2.5)
UNIT_SPREAD = 0.3
BACKLOG_LOGIT = 2.5  # per log of (running cases / usual running cases)
BACKLOG_DAMPING = 8  # cases added to both, so that a small unit with a few more cases is not "swamped"
EPISODE_LOGIT = 1.0
HOLIDAY_LOGIT = 1.0
# A unit's "usual" backlog: an average of its running cases with a half-life of this many working days.
USUAL_HALF_LIFE = 15
WARM_UP = 10  # working days
EPISODES_PER_YEAR = 1.3
EPISODE_DAYS = (8, 25)  # working days
EPISODE_SLOWDOWN = (1.3, 1.7)
SLOW_UNIT_SLOWDOWN = (1.1, 1.3)
# Lateness no one could foresee (a system outage, an applicant's lawsuit).
UNFORESEEABLE = 0.0003
STUCK_LATE = 0.75  # of the stuck cases, the share that misses its due date
MOST_LOGIT = 1.0  # the chance of getting stuck is at most about three in four
# A gap of this many calendar days between two working days is a long holiday (a weekend is 3).
LONG_BREAK_DAYS = 4


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


@dataclass
class UnitPace:
    logit: float
    slowdown: float
    episodes: list[tuple[int, int, float]]  # (first working-day index, last, slowdown)
    running: list[int] = field(default_factory=list)  # heap of the working-day index each case ends
    usual: float = 0.0
    weight: float = (
        0.0  # how much of `usual` is real history (1 - decay ** days seen): early days count fully
    )
    seen: int = -1  # the working-day index `usual` was last brought up to

    def episode_at(self, index: int) -> float:
        for first, last, slowdown in self.episodes:
            if first <= index <= last:
                return slowdown
        return 1.0


class Pace:
    """How long each case takes, from its item, its unit, the unit's backlog and the calendar."""

    def __init__(self, seed: float, workdays: list[int]) -> None:
        self.rng = random.Random(seed)
        self.workdays = workdays
        # Indexes of the working days after which a long holiday begins.
        self.breaks = [
            i for i in range(len(workdays) - 1) if workdays[i + 1] - workdays[i] >= LONG_BREAK_DAYS
        ]
        self.items: dict[str, float] = {}
        self.units: dict[str, UnitPace] = {}
        self.decay = 0.5 ** (1 / USUAL_HALF_LIFE)

    def _item_logit(self, code: str, promised: int) -> float:
        logit = self.items.get(code)
        if logit is None:
            if promised >= HARD_FROM_DAYS:
                length = math.log1p(min(promised, LENGTH_CAP))
                logit = self.rng.gauss(HARD_LOGIT + LENGTH_LOGIT * length, ITEM_SPREAD)
            else:
                logit = self.rng.gauss(*ROUTINE_LOGIT)
            self.items[code] = logit
        return logit

    def _unit(self, code: str) -> UnitPace:
        unit = self.units.get(code)
        if unit is None:
            rng = self.rng
            slow = rng.random() < SLOW_UNIT_SHARE
            logit = rng.gauss(0, UNIT_SPREAD) + (rng.uniform(*SLOW_UNIT_LOGIT) if slow else 0.0)
            slowdown = rng.uniform(*SLOW_UNIT_SLOWDOWN) if slow else rng.uniform(0.85, 1.1)
            episodes = []
            count = sum(rng.random() < EPISODES_PER_YEAR / 3 for _ in range(3))
            for _ in range(count):
                first = rng.randrange(len(self.workdays))
                episodes.append((first, first + rng.randint(*EPISODE_DAYS), rng.uniform(*EPISODE_SLOWDOWN)))
            unit = self.units[code] = UnitPace(logit, slowdown, episodes)
        return unit

    def _backlog(self, unit: UnitPace, index: int) -> float:
        """The unit's running cases now over their usual level (both as of the start of the day)."""
        running = unit.running
        while running and running[0] < index:
            heapq.heappop(running)
        if index < WARM_UP:
            # The year starts with nothing running: the first days set what is usual.
            unit.usual, unit.weight, unit.seen = float(len(running)), 1.0, index
            return 1.0
        if index > unit.seen:
            # The days since the last look had about today's count: an average that forgets slowly,
            # divided by its weight so that the first weeks of the year are not measured against 0.
            keep = self.decay ** (index - unit.seen) if unit.seen >= 0 else 0.0
            unit.usual = unit.usual * keep + len(running) * (1 - keep)
            unit.weight = unit.weight * keep + (1 - keep)
            unit.seen = index
        usual = unit.usual / unit.weight if unit.weight else float(len(running))
        return (len(running) + BACKLOG_DAMPING) / (usual + BACKLOG_DAMPING)

    def _holiday_within(self, index: int, promised: int) -> bool:
        """Whether a long holiday falls between acceptance and the due date."""
        k = bisect_left(self.breaks, index)
        return k < len(self.breaks) and self.breaks[k] < index + promised

    def draw(
        self, item_code: str, unit_code: str, promised: int, speed: float, index: int
    ) -> tuple[bool, int]:
        """(late, working days from acceptance to completion) of a case accepted on working day `index`."""
        rng = self.rng
        unit = self._unit(unit_code)
        ratio = self._backlog(unit, index)
        episode = unit.episode_at(index)
        z = (
            self._item_logit(item_code, promised)
            + unit.logit
            + BACKLOG_LOGIT * math.log(ratio)
            + (EPISODE_LOGIT if episode > 1 else 0.0)
            + (HOLIDAY_LOGIT if promised and self._holiday_within(index, promised) else 0.0)
        )
        if promised:
            normal = min(promised, int((promised + 1) * rng.random() ** speed * unit.slowdown * episode))
        else:
            normal = 0
        # Even the worst item at the slowest unit in its worst weeks gets most cases through.
        if promised and rng.random() < _sigmoid(min(z, MOST_LOGIT)):
            # Stuck: most such cases run past their due date; some are pushed through on the last day.
            if rng.random() < STUCK_LATE:
                days = promised + 1 + int(rng.expovariate(0.3))
            else:
                days = max(normal, promised - int(rng.random() * 2))
        elif rng.random() < UNFORESEEABLE:
            days = promised + 1 + int(rng.expovariate(0.4))
        else:
            days = normal
        days = min(days, promised + 41)
        if promised:
            heapq.heappush(unit.running, index + days)
        return days > promised, days
