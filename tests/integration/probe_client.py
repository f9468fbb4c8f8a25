"""Drives tests/tools/aws_probe: one JSON command per line in, one answer per line out.

The probe runs the project's own AWS clients and adapters (BeastTransport, the default
credentials chain, AwsClient) against the local stack, with the environment the product
itself would get (stack.binary_env), so what it answers is what the product would see.
"""

from __future__ import annotations

import json
import select
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from seeding import status_key


class ProbeError(AssertionError):
    """The probe answered with an error where a result was expected (or the reverse)."""


class Probe:
    def __init__(self, binary: Path, env: dict[str, str], answer_timeout: float = 60.0):
        self._stderr = tempfile.TemporaryFile()
        self._timeout = answer_timeout
        self._process = subprocess.Popen(
            [str(binary)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
        )

    def call(self, op: str, **fields: Any) -> dict:
        """Sends one command; returns the whole answer ({"result": ...} or {"error": ...})."""
        assert self._process.stdin and self._process.stdout
        self._process.stdin.write((json.dumps({"op": op, **fields}) + "\n").encode())
        self._process.stdin.flush()
        ready, _, _ = select.select([self._process.stdout], [], [], self._timeout)
        if not ready:
            raise TimeoutError(f"aws_probe gave no answer to {op} in {self._timeout}s{self._log()}")
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError(
                f"aws_probe exited (code {self._process.poll()}) on {op}{self._log()}"
            )
        return json.loads(line)

    def result(self, op: str, **fields: Any) -> Any:
        answer = self.call(op, **fields)
        if "error" in answer:
            raise ProbeError(f"{op} failed: {answer['error']}")
        return answer["result"]

    def error(self, op: str, **fields: Any) -> dict:
        answer = self.call(op, **fields)
        if "error" not in answer:
            raise ProbeError(f"{op} was expected to fail, answered {answer['result']}")
        return answer["error"]

    def requests(self, service: str = "dynamodb") -> int:
        """HTTP requests this probe has made to `service` so far (retries included)."""
        return self.result("probe.stats").get(service, {}).get("requests", 0)

    def close(self) -> None:
        if self._process.stdin and not self._process.stdin.closed:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout:
            self._process.stdout.close()
        self._stderr.close()

    def _log(self) -> str:
        self._stderr.seek(0)
        text = self._stderr.read().decode(errors="replace")[-2000:]
        return f"\n--- aws_probe stderr ---\n{text}" if text else ""

    def __enter__(self) -> "Probe":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def probe_env(stack: Any, dynamodb: str = "dynalite", **overrides: str) -> dict[str, str]:
    env = stack.binary_env(dynamodb)
    env.update(overrides)
    # The probe's own log lines (the AWS layer logs retries at DEBUG) stay quiet.
    env.setdefault("LOG_LEVEL", "WARNING")
    return {k: v for k, v in env.items() if v is not None}


def key(correlation_id: str, collection: str) -> dict:
    return status_key(correlation_id, collection)

