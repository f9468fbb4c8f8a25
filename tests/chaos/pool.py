"""The source queue as the chaos runner plays it: a standard SQS queue seen by a Lambda
event source mapping.

- A consumer takes a batch of visible messages, picked at random (a standard queue keeps no
  order), and each taken message is invisible until the batch is settled.
- Settling deletes the messages that succeeded. The others (items the function reported
  failed, or the whole batch of an invocation that failed or died) stay in the queue and are
  visible again when their visibility timeout, counted from the receive, runs out. AWS wants
  that timeout at least the function's timeout, so a dead invocation's deadline has always
  passed when its messages come back.
- A message received `max_receives` times without success goes to the dead-letter list.
"""

from __future__ import annotations

import random
import threading
import time

from generator import Delivery


class Pool:
    def __init__(self, rng: random.Random, max_receives: int) -> None:
        self._rng = rng
        self._max_receives = max_receives
        self._cond = threading.Condition()
        self._waiting: list[Delivery] = []
        self._in_flight = 0
        self.dead_letters: list[Delivery] = []
        self.receives = 0
        self.deleted = 0
        self.changes = 0  # bumps on every add/take/settle: the runner's progress signal

    def add(self, deliveries: list[Delivery], visible_at: float = 0.0) -> None:
        with self._cond:
            for d in deliveries:
                d.visible_at = visible_at
            self._waiting.extend(deliveries)
            self.changes += 1
            self._cond.notify_all()

    def take(self, max_count: int, wait: float) -> list[Delivery]:
        """Up to max_count visible messages; waits up to `wait` seconds for one."""
        end = time.monotonic() + wait
        with self._cond:
            while True:
                now = time.time()
                visible = [i for i, d in enumerate(self._waiting) if d.visible_at <= now]
                if visible:
                    picked = sorted(self._rng.sample(visible, min(max_count, len(visible))),
                                    reverse=True)
                    batch = [self._waiting.pop(i) for i in picked]
                    for d in batch:
                        d.receives += 1
                    self.receives += len(batch)
                    self._in_flight += len(batch)
                    self.changes += 1
                    return batch
                left = end - time.monotonic()
                if left <= 0:
                    return []
                soonest = min((d.visible_at - now for d in self._waiting), default=left)
                self._cond.wait(max(0.01, min(left, soonest)))

    def settle(self, succeeded: list[Delivery], failed: list[Delivery],
               visible_at: float) -> list[Delivery]:
        """Deletes the succeeded, puts the failed back; returns those sent to dead letters."""
        dead: list[Delivery] = []
        with self._cond:
            self._in_flight -= len(succeeded) + len(failed)
            self.deleted += len(succeeded)
            for d in failed:
                if d.receives >= self._max_receives:
                    dead.append(d)
                else:
                    d.visible_at = visible_at
                    self._waiting.append(d)
            self.dead_letters.extend(dead)
            self.changes += 1
            self._cond.notify_all()
        return dead

    def idle(self) -> bool:
        """Nothing waiting (visible or not) and nothing in flight."""
        with self._cond:
            return not self._waiting and self._in_flight == 0

    def counts(self) -> tuple[int, int]:
        with self._cond:
            return len(self._waiting), self._in_flight
