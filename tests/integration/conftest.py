"""Fixtures every integration test can use; the helpers behind them live in stack.py.

    stack               the running local stack (started here, and stopped at the
                        end, only if none was running)
    dynalite_dynamodb   boto3 DynamoDB client on dynalite
    moto_dynamodb       boto3 DynamoDB client on moto (has TransactWriteItems)
    sqs, sns            boto3 clients on moto
    unique_name         unique_name("prefix") -> "prefix-<12 hex>"
    build_dir           the build directory ($BUILD_DIR, default ./build)
    binary              binary("name") -> path of a built program, or the test fails
    ssc_binary          path of snapshot-sender-status-checker
    rie_binary          path of aws-lambda-rie (installed by scripts/setup.sh)
    probe_binary        path of tests/tools/aws_probe (our AWS clients, driven by JSON lines)
    backend             (name, boto3 DynamoDB client, Probe), once on dynalite, once on moto
    conflicting_dynamodb  conflicting_dynamodb(hold_seconds=0.01) -> a started proxy in front
                        of the serial moto that conflicts as real DynamoDB does
                        (tests/chaos/conflicting_dynamodb.py); .url("dynamodb") is the
                        endpoint, .item_holds.counts what it did; stopped after the test
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import stack as stack_lib
from probe_client import Probe, probe_env

sys.path.insert(0, str(stack_lib.REPO_ROOT / "tests" / "chaos"))
from conflicting_dynamodb import start_conflicting_dynamodb  # noqa: E402

_LOOPBACK = "127.0.0.1,localhost"


def pytest_configure(config: pytest.Config) -> None:
    # A proxy set on a developer's machine must not swallow loopback traffic,
    # and boto3 must never look for credentials off this machine.
    for name in ("NO_PROXY", "no_proxy"):
        current = os.environ.get(name)
        os.environ[name] = f"{current},{_LOOPBACK}" if current else _LOOPBACK
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


@pytest.fixture(scope="session")
def stack() -> Iterator[stack_lib.Stack]:
    running, started_here = stack_lib.ensure_stack()
    yield running
    if started_here:
        stack_lib.stop_stack()


@pytest.fixture(scope="session")
def dynalite_dynamodb(stack: stack_lib.Stack) -> Any:
    return stack.dynalite_dynamodb


@pytest.fixture(scope="session")
def moto_dynamodb(stack: stack_lib.Stack) -> Any:
    return stack.moto_dynamodb


@pytest.fixture(scope="session")
def sqs(stack: stack_lib.Stack) -> Any:
    return stack.sqs


@pytest.fixture(scope="session")
def sns(stack: stack_lib.Stack) -> Any:
    return stack.sns


@pytest.fixture
def unique_name() -> Callable[..., str]:
    return stack_lib.unique_name


@pytest.fixture(scope="session")
def build_dir() -> Path:
    return stack_lib.build_dir()


@pytest.fixture(scope="session")
def binary(build_dir: Path) -> Callable[[str], Path]:
    return lambda name: stack_lib.find_binary(name, build_dir)


@pytest.fixture(scope="session")
def ssc_binary(build_dir: Path) -> Path:
    return stack_lib.find_binary(stack_lib.MAIN_BINARY, build_dir)


@pytest.fixture(scope="session")
def rie_binary() -> Path:
    return stack_lib.find_rie()


@pytest.fixture(scope="module")
def probe_binary(binary: Callable[[str], Path]) -> Path:
    return binary("aws_probe")


@pytest.fixture(scope="module", params=["dynalite", "moto"])
def backend(request, stack: stack_lib.Stack,
            probe_binary: Path) -> Iterator[tuple[str, Any, Probe]]:
    """(name, boto3 DynamoDB client, probe) for one DynamoDB emulator."""
    name = request.param
    with Probe(probe_binary, probe_env(stack, name)) as probe:
        yield name, getattr(stack, f"{name}_dynamodb"), probe


@pytest.fixture
def conflicting_dynamodb(stack: stack_lib.Stack) -> Iterator[Callable[..., Any]]:
    started: list[Any] = []

    def start(hold_seconds: float = 0.01, **proxy_options: Any) -> Any:
        started.append(start_conflicting_dynamodb(stack.moto_dynamodb_url, hold_seconds,
                                                  **proxy_options))
        return started[-1]

    yield start
    for proxy in started:
        proxy.stop()
