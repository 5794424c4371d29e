"""``python -m faults [--only NAME ...] [--soak-seconds N]``: bring the stack up, run the
scenarios, print the table, exit 1 when a criterion failed; everything is cleaned up, even on failure."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

from faults import scenarios
from faults.scenarios import Outcome, Suite
from faults.stack import Balancer, Instances, PrivatePostgres, PrivateRedis, idp_environ, start_instances
from tests.support.servers import free_port


def table(outcomes: list[Outcome]) -> str:
    lines = [
        "| scenario | requests | 5xx | 503 with Retry-After | lost | replays accepted | recovery seconds | result |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for o in outcomes:
        recovery = "-" if not o.outage else (f"{o.recovery_seconds:g}" if o.recovered else "none")
        result = "ok" if not o.failures() else "FAIL"
        lines.append(
            f"| {o.scenario} | {len(o.samples)} | {o.five_xx} | {o.unavailable} | {o.lost} | {o.replays_accepted} "
            f"| {recovery} | {result} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m faults", description=__doc__)
    names = [s.__name__ for s in scenarios.SCENARIOS]
    parser.add_argument("--only", action="append", choices=names, help="run only these scenarios")
    parser.add_argument("--soak-seconds", type=float, default=scenarios.SOAK_SECONDS)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    args = parser.parse_args(argv)
    scenarios.SOAK_SECONDS = args.soak_seconds
    chosen = [s for s in scenarios.SCENARIOS if not args.only or s.__name__ in args.only]

    # a CI timeout's SIGTERM unwinds through the finally below, so nothing is left running
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    began = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="gosid-faults-"))
    postgres, redis = PrivatePostgres(root), PrivateRedis(root)
    balancer: Balancer | None = None
    instances: Instances | None = None
    outcomes: list[Outcome] = []
    crashed = False
    try:
        print(f"faults: private PostgreSQL on {postgres.port}, Redis on {redis.port}, in {root}", flush=True)
        postgres.create()
        postgres.start()
        redis.start()
        ports = [free_port(), free_port()]
        balancer = Balancer(root, ports)
        env = idp_environ(root, issuer=balancer.url, database_url=postgres.url, store_url=redis.url)
        instances = start_instances(root, ports=ports, env=env)
        balancer.start()
        print(f"faults: 2 IdP instances on {ports} behind haproxy on {balancer.port}", flush=True)
        suite = Suite(url=balancer.url, instances=instances, postgres=postgres, redis=redis, log=root)
        suite.ensure_chains(4)
        for scenario in chosen:
            print(f"faults: {scenario.__name__} ...", flush=True)
            outcome = scenario(suite)
            outcomes.append(outcome)
            for note in outcome.notes[:8]:
                print(f"    {note}", flush=True)
            for failure in outcome.failures():
                print(f"    FAIL: {failure}", flush=True)
    except Exception:
        crashed = True
        traceback.print_exc()
        for log in sorted(root.glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-40:]
            print(f"--- {log.name} (tail) ---\n" + "\n".join(tail), file=sys.stderr)
    finally:
        if instances is not None:
            instances.stop()
        if balancer is not None:
            balancer.destroy()
        redis.destroy()
        postgres.destroy()
        if args.keep:
            print(f"faults: kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print()
    print(table(outcomes))
    print(f"\n{len(outcomes)} scenario(s) in {time.monotonic() - began:.0f} s")
    failed = crashed or any(o.failures() for o in outcomes)
    print("faults: FAILED" if failed else "faults: all criteria met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
