"""Checks whether a DynamoDB emulator keeps single-item conditional writes atomic under
concurrency: the property the product's exactly-once design rests on.

Two races, each from many threads through separate connections:
- compare-and-set: read a counter, write counter+1 on condition it is unchanged; the final
  counter must equal the number of writes that reported success;
- claim a token: every thread tries to add the same tokens with
  `NOT contains(Tokens, :t)`; each token must be won by exactly one thread.

Usage: python3 emulator_race_check.py --endpoint http://127.0.0.1:PORT [--threads 8]
Exit 0 when both hold, 1 otherwise. Prints what it saw.
"""

from __future__ import annotations

import argparse
import sys
import threading
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def client(endpoint: str):
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="eu-west-2",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"max_attempts": 10, "mode": "standard"}, max_pool_connections=4),
    )


def wait_active(ddb, table: str) -> None:
    ddb.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 0.2})


def run(endpoint: str, threads: int, rounds: int, tokens: int) -> tuple[bool, str]:
    setup = client(endpoint)
    table = f"race_{uuid.uuid4().hex[:8]}"
    setup.create_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "K", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "K", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    wait_active(setup, table)
    setup.put_item(TableName=table, Item={"K": {"S": "cas"}, "N": {"N": "0"}})
    setup.put_item(TableName=table, Item={"K": {"S": "tok"}, "C": {"N": "0"}})

    cas_wins = [0] * threads
    token_wins = [0] * threads
    errors: list[str] = []
    start = threading.Barrier(threads)

    def worker(i: int) -> None:
        ddb = client(endpoint)
        start.wait()
        try:
            for _ in range(rounds):
                item = ddb.get_item(TableName=table, Key={"K": {"S": "cas"}}, ConsistentRead=True)
                old = item["Item"]["N"]["N"]
                try:
                    ddb.update_item(
                        TableName=table,
                        Key={"K": {"S": "cas"}},
                        UpdateExpression="SET N = :new",
                        ConditionExpression="N = :old",
                        ExpressionAttributeValues={
                            ":new": {"N": str(int(old) + 1)},
                            ":old": {"N": old},
                        },
                    )
                    cas_wins[i] += 1
                except ClientError as e:
                    if e.response["Error"]["Code"] != "ConditionalCheckFailedException":
                        raise
            for t in range(tokens):
                try:
                    ddb.update_item(
                        TableName=table,
                        Key={"K": {"S": "tok"}},
                        UpdateExpression="ADD C :one, Tokens :set",
                        ConditionExpression="NOT contains(Tokens, :t)",
                        ExpressionAttributeValues={
                            ":one": {"N": "1"},
                            ":set": {"SS": [f"t{t}"]},
                            ":t": {"S": f"t{t}"},
                        },
                    )
                    token_wins[i] += 1
                except ClientError as e:
                    if e.response["Error"]["Code"] != "ConditionalCheckFailedException":
                        raise
        except Exception as e:  # noqa: BLE001 - reported, not hidden
            errors.append(repr(e))

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()

    cas = setup.get_item(TableName=table, Key={"K": {"S": "cas"}}, ConsistentRead=True)["Item"]
    tok = setup.get_item(TableName=table, Key={"K": {"S": "tok"}}, ConsistentRead=True)["Item"]
    setup.delete_table(TableName=table)
    final_n = int(cas["N"]["N"])
    final_c = int(tok["C"]["N"])
    stored_tokens = len(tok.get("Tokens", {}).get("SS", []))
    ok = (
        not errors
        and final_n == sum(cas_wins)
        and sum(token_wins) == tokens
        and final_c == tokens
        and stored_tokens == tokens
    )
    report = (
        f"compare-and-set: {sum(cas_wins)} writes reported success, counter is {final_n}; "
        f"token claims: {sum(token_wins)} wins for {tokens} tokens, counter {final_c}, "
        f"{stored_tokens} tokens stored; errors: {errors[:3]}"
    )
    return ok, report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--endpoint", required=True)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--rounds", type=int, default=40)
    p.add_argument("--tokens", type=int, default=40)
    a = p.parse_args(argv)
    ok, report = run(a.endpoint, a.threads, a.rounds, a.tokens)
    print(("ATOMIC: " if ok else "NOT ATOMIC: ") + report)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
