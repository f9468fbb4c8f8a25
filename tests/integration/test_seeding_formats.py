"""The seeding module (seeding.py) spells the three items' attribute names as the binary
does (the table_format.hpp header under src/): one name changed on either side, and every
seeded row, receipt and product item of the tests, the benchmark, the demo and the chaos
test would stop meaning what the binary reads. Reads the sources only: no stack."""

from __future__ import annotations

import re
from pathlib import Path

import seeding

SRC = Path(__file__).resolve().parents[2] / "src"
# The header's namespaces and the seeding class that mirrors each.
MIRRORS = {"status_row": seeding.StatusRow, "receipt": seeding.Receipt,
           "product_item": seeding.ProductItem}
# Seeding names that are not the binary's: the exporter's TTL, which the binary never reads.
NOT_THE_BINARYS = {"TIME_TO_EXIST"}

NAMESPACE = re.compile(r"^\s*namespace ([\w:]+) \{|^\s*\}\s*// namespace ([\w:]+)", re.M)
CONSTANT = re.compile(
    r"inline constexpr (?:const char\*|std::string_view) (k\w+) =\s*((?:\"[^\"]*\"\s*)+|[\w:]+);")


def constants(text: str) -> dict[tuple[str, str], str]:
    """(innermost namespace, constant) -> value, a literal's text or the name it refers to."""
    found: dict[tuple[str, str], str] = {}
    stack: list[str] = []
    position = 0
    for match in NAMESPACE.finditer(text + "\nnamespace end {"):
        for name, value in CONSTANT.findall(text, position, match.start()):
            literals = re.findall(r"\"([^\"]*)\"", value)
            found[(stack[-1].split("::")[-1] if stack else "", name)] = (
                "".join(literals) if literals else value)
        opened, closed = match.groups()
        if opened:
            stack.append(opened)
        elif stack:
            stack.pop()
        position = match.end()
    return found


def header_formats() -> dict[str, dict[str, str]]:
    """The header's constants by namespace, a reference (core::product_status::kX) replaced
    by the literal it names in any header under src/."""
    headers = sorted(SRC.rglob("table_format.hpp"))
    assert len(headers) == 1, f"expected one table_format.hpp under {SRC}, found {headers}"
    everywhere: dict[tuple[str, str], str] = {}
    for header in SRC.rglob("*.hpp"):
        everywhere.update(constants(header.read_text()))
    formats: dict[str, dict[str, str]] = {}
    for (namespace, name), value in constants(headers[0].read_text()).items():
        if "::" in value:
            *_, owner, constant = value.split("::")
            assert (owner, constant) in everywhere, f"{name} = {value}: not found under {SRC}"
            value = everywhere[(owner, constant)]
        formats.setdefault(namespace, {})[name] = value
    return formats


def python_name(constant: str) -> str:
    """kPendingEffectsUntil -> PENDING_EFFECTS_UNTIL."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", constant[1:]).upper()


def mirrored(cls: type) -> dict[str, str]:
    return {k: v for k, v in vars(cls).items()
            if k.isupper() and k not in NOT_THE_BINARYS}


def test_the_header_is_read():
    formats = header_formats()
    assert set(MIRRORS) <= set(formats), f"namespaces of the header: {sorted(formats)}"
    assert formats["status_row"]["kCorrelationId"] == "CorrelationId"
    assert formats["product_item"]["kDataProductValue"] == "SNAPSHOT_SENDER"  # a reference


def test_every_name_of_the_header_is_the_seeding_modules():
    formats = header_formats()
    for namespace, cls in MIRRORS.items():
        header = {python_name(k): v for k, v in formats[namespace].items() if k != "kProjection"}
        assert mirrored(cls) == header, (
            f"seeding.{cls.__name__} differs from table_format::{namespace}: "
            f"only in seeding {sorted(set(mirrored(cls).items()) - set(header.items()))}, "
            f"only in the header {sorted(set(header.items()) - set(mirrored(cls).items()))}")


def test_the_rows_projection_names_only_status_row_attributes():
    projection = header_formats()["status_row"]["kProjection"]
    names = {name.strip() for name in projection.split(",")}
    assert names <= set(mirrored(seeding.StatusRow).values()), sorted(
        names - set(mirrored(seeding.StatusRow).values()))
