"""Capacity units as DynamoDB bills them (developer guide, "Read/write capacity mode"):

- a write costs 1 unit per KB of the item (rounded up, at least 1), twice that in a
  transaction (TransactWriteItems: every action, ConditionCheck included);
- a strongly consistent read costs 1 unit per 4 KB read, half that when eventually
  consistent, twice that in a transaction; a Query adds up the items it returns before
  rounding, a GetItem that finds nothing still costs the minimum.
"""
from __future__ import annotations

import math

KB = 1024
READ_UNIT_BYTES = 4 * KB


def item_bytes(item: dict) -> int:
    """An item's size as DynamoDB counts it: names plus values (strings and numbers by
    their text; close enough for the unit count, which rounds up to whole KB)."""
    total = 0
    for name, value in item.items():
        total += len(name.encode())
        (kind, inner), = value.items()
        total += len(str(inner).encode())
    return total


def units(size: int, transactional: bool) -> int:
    """Write units of one item of `size` bytes."""
    return (2 if transactional else 1) * max(1, -(-size // KB))


def read_units(size: int, consistent: bool) -> float:
    """Read units of one GetItem, or of one Query page whose items add up to `size` bytes."""
    whole = max(1, math.ceil(size / READ_UNIT_BYTES))
    return float(whole) if consistent else whole / 2
