"""Requests/s and p50/p99 latency of the IdP under gunicorn, on loopback only.

    python -m bench.run [--workers 1] [--threads 8] [--duration 15] [--concurrency 8]

The IdP starts on a free 127.0.0.1 port with embedded defaults (SQLite + in-process store) in a
temporary directory, like the e2e tests' servers. Each scenario is a closed loop: a pool of
threads, one ``requests.Session`` each, every thread sends its next request when the previous
one has answered; a scenario stops at ``--duration`` seconds or ``--max-requests`` requests,
whichever comes first.

Scenarios:
  discovery      GET /.well-known/openid-configuration
  jwks           GET /jwks.json
  token_refresh  POST /token, grant_type=refresh_token, one rotation chain per thread
                 (client authentication, a signed access token, a conditional UPDATE + INSERT)
  login          a full scripted login with a new browser session each time: authorize (PKCE),
                 password, the SMS code read from /dev/outbox, consent (remembered after the
                 first time), the code, and its exchange at /token; one persona per thread

The table is printed as Markdown and written as JSON to bench/results/latest.json.
Numbers compare runs on the same machine; they are not a capacity statement.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from tests.support.http_login import authorize_code, basic_auth
from tests.support.servers import DEMO_CLIENT_ID, HarnessError, IdpProcess, free_port, load_personas, start_idp

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
TIMEOUT = 30.0
# No RP runs during the benchmark; this is only the redirect URI registered for the demo client.
RP_BASE_URL = "http://127.0.0.1:9"
# Every login loop sends SMS codes to the same personas from 127.0.0.1: the benchmark raises the
# shipped per-hour code-send limits for its own IdP (development mode; production refuses them).
BENCH_IDP_SETTINGS = {"GOSID_CODE_SENDS_PER_RECIPIENT": "1000000", "GOSID_CODE_SENDS_PER_IP": "1000000"}

# One step of a closed loop: returns normally on success, raises on an error.
Operation = Callable[[requests.Session], None]


class StepFailed(Exception):
    pass


@dataclass
class ScenarioResult:
    scenario: str
    requests: int
    errors: int
    seconds: float
    concurrency: int
    rps: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    error_samples: list[str] = field(default_factory=list)


@dataclass
class _Tally:
    """What the threads of one scenario record; guarded by ``lock``."""

    limit: int
    deadline: float
    lock: threading.Lock = field(default_factory=threading.Lock)
    issued: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    def claim(self) -> bool:
        """A ticket for one more request, while under both the count and the time bound."""
        with self.lock:
            if self.issued >= self.limit or time.monotonic() >= self.deadline:
                return False
            self.issued += 1
            return True

    def record(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error is not None:
                self.errors[error] += 1


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted values (0 for none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), math.ceil(pct / 100 * len(sorted_values))))
    return sorted_values[rank - 1]


def closed_loop(
    name: str, operations: Sequence[Operation], *, duration: float, max_requests: int,
    warmup: bool = True,
) -> ScenarioResult:  # fmt: skip
    """Run ``operations[i]`` in a loop on thread ``i`` until the bounds are reached."""
    start_gate = threading.Barrier(len(operations) + 1, timeout=120)
    tally = _Tally(limit=max_requests, deadline=float("inf"))

    def worker(op: Operation) -> None:
        with requests.Session() as session:
            if warmup:  # a first, unmeasured request opens the connection
                with contextlib.suppress(Exception):  # a failing warm-up shows in the measured loop
                    op(session)
            start_gate.wait()
            while tally.claim():
                began = time.perf_counter()
                error: str | None = None
                try:
                    op(session)
                except StepFailed as exc:
                    error = str(exc)
                except Exception as exc:  # any failure of a step is an error of the scenario
                    error = f"{exc.__class__.__name__}: {exc}"
                tally.record(time.perf_counter() - began, error)
                if error is not None and name == "token_refresh":
                    return  # the chain is broken: this thread is done

    with ThreadPoolExecutor(max_workers=len(operations), thread_name_prefix=f"bench-{name}") as pool:
        futures = [pool.submit(worker, op) for op in operations]
        start_gate.wait()
        began = time.monotonic()
        tally.deadline = began + duration
        for future in futures:
            future.result()
        seconds = time.monotonic() - began
    ordered = sorted(tally.latencies)
    count = len(ordered)
    errors = sum(tally.errors.values())
    return ScenarioResult(
        scenario=name,
        requests=count,
        errors=errors,
        seconds=round(seconds, 2),
        concurrency=len(operations),
        rps=round(count / seconds, 1) if seconds > 0 else 0.0,
        p50_ms=round(percentile(ordered, 50) * 1000, 2),
        p99_ms=round(percentile(ordered, 99) * 1000, 2),
        mean_ms=round(statistics.fmean(ordered) * 1000, 2) if ordered else 0.0,
        max_ms=round(ordered[-1] * 1000, 2) if ordered else 0.0,
        error_samples=[f"{n}× {msg}" for msg, n in tally.errors.most_common(5)],
    )


# --- scenarios ---------------------------------------------------------------------------------


def _get_ok(url: str) -> Operation:
    def op(session: requests.Session) -> None:
        resp = session.get(url, timeout=TIMEOUT)
        if resp.status_code != 200:
            raise StepFailed(f"GET {url}: HTTP {resp.status_code}")
        resp.content  # noqa: B018 - read the whole body

    return op


@dataclass
class Bench:
    idp: IdpProcess
    meta: dict[str, Any]
    personas: list[dict[str, Any]]

    @property
    def auth(self) -> tuple[str, str]:
        return basic_auth(self.idp.client_id, self.idp.client_secret)

    @property
    def redirect_uri(self) -> str:
        return f"{RP_BASE_URL}/auth/callback"

    def login(self, person: dict[str, Any]) -> dict[str, Any]:
        """A full login with a new browser session; returns the token response."""
        with requests.Session() as browser:
            result = authorize_code(
                browser, authorization_endpoint=self.meta["authorization_endpoint"],
                idp_url=self.idp.url, client_id=DEMO_CLIENT_ID, redirect_uri=self.redirect_uri,
                phone=person["phone"], password=person["password"], scope="openid profile offline_access",
            )  # fmt: skip
        if "code" not in result.params:
            raise StepFailed(f"no code in {result.redirect}")
        resp = requests.post(
            self.meta["token_endpoint"], auth=self.auth, timeout=TIMEOUT, data={
                "grant_type": "authorization_code", "code": result.params["code"],
                "redirect_uri": self.redirect_uri, "code_verifier": result.request.verifier,
            },
        )  # fmt: skip
        if resp.status_code != 200:
            raise StepFailed(f"code exchange: HTTP {resp.status_code} {resp.text[:200]}")
        tokens: dict[str, Any] = resp.json()
        return tokens

    def refresh_chain(self, refresh_token: str) -> Operation:
        state = {"token": refresh_token}

        def op(session: requests.Session) -> None:
            resp = session.post(
                self.meta["token_endpoint"], auth=self.auth, timeout=TIMEOUT,
                data={"grant_type": "refresh_token", "refresh_token": state["token"]},
            )  # fmt: skip
            if resp.status_code != 200:
                raise StepFailed(f"refresh: HTTP {resp.status_code} {resp.text[:200]}")
            state["token"] = resp.json()["refresh_token"]

        return op

    def login_loop(self, person: dict[str, Any]) -> Operation:
        def op(session: requests.Session) -> None:
            self.login(person)

        return op


def run(args: argparse.Namespace) -> list[ScenarioResult]:
    personas = list(load_personas().values())
    with tempfile.TemporaryDirectory(prefix="gosid-bench-") as tmp:
        port = free_port()
        print(f"starting the IdP on 127.0.0.1:{port} (workers={args.workers}, threads={args.threads}) ...", flush=True)
        idp = start_idp(
            Path(tmp), port=port, rp_base_url=RP_BASE_URL, database_url=args.database_url,
            store_url=args.store_url, workers=args.workers, threads=args.threads, access_log=False,
            log_level="warning", idp_settings=BENCH_IDP_SETTINGS,
        )  # fmt: skip
        try:
            meta = requests.get(f"{idp.url}/.well-known/openid-configuration", timeout=TIMEOUT).json()
            bench = Bench(idp, meta, personas)
            return _scenarios(bench, args)
        except BaseException:
            print(f"--- IdP log (tail) ---\n{idp.server.log_tail(80)}", file=sys.stderr)
            raise
        finally:
            idp.server.stop()


def _scenarios(bench: Bench, args: argparse.Namespace) -> list[ScenarioResult]:
    n, duration, limit = args.concurrency, args.duration, args.max_requests
    results = []
    for name, path in (("discovery", "/.well-known/openid-configuration"), ("jwks", "/jwks.json")):
        print(f"{name}: {n} threads, up to {duration:g} s ...", flush=True)
        results.append(closed_loop(name, [_get_ok(bench.idp.url + path)] * n, duration=duration, max_requests=limit))

    print(f"token_refresh: {n} logins to start the chains ...", flush=True)
    chains = [bench.login(bench.personas[i % len(bench.personas)])["refresh_token"] for i in range(n)]
    print(f"token_refresh: {n} threads, up to {duration:g} s ...", flush=True)
    results.append(
        closed_loop(
            "token_refresh",
            [bench.refresh_chain(t) for t in chains],
            duration=duration,
            max_requests=limit,
            warmup=False,
        )
    )

    # One persona per thread: each thread reads its own phone's newest SMS without races.
    threads = max(1, min(n, len(bench.personas)))
    print(f"login: {threads} threads, up to {duration:g} s or {args.login_iterations} logins ...", flush=True)
    results.append(
        closed_loop(
            "login",
            [bench.login_loop(p) for p in bench.personas[:threads]],
            duration=duration,
            max_requests=args.login_iterations,
            warmup=False,
        )
    )
    return results


# --- output ------------------------------------------------------------------------------------


def markdown_table(results: Sequence[ScenarioResult]) -> str:
    lines = [
        "| scenario | requests | req/s | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r.scenario} | {r.requests} | {r.rps:.1f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.errors} |")
    return "\n".join(lines)


def write_json(path: Path, args: argparse.Namespace, results: Sequence[ScenarioResult]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {
            "workers": args.workers,
            "threads": args.threads,
            "concurrency": args.concurrency,
            "duration_s": args.duration,
            "max_requests": args.max_requests,
            "login_iterations": args.login_iterations,
            "database": "postgresql" if args.database_url else "sqlite",
            "store": args.store_url.split(":", 1)[0],
        },
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "results": [asdict(r) for r in results],
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=1, help="gunicorn worker processes (1)")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker (8)")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per scenario (15)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (8)")
    parser.add_argument(
        "--max-requests", type=int, default=100_000, help="upper bound of requests per scenario (100000)"
    )
    parser.add_argument(
        "--login-iterations", type=int, default=200, help="upper bound of full logins in the login scenario (200)"
    )
    parser.add_argument(
        "--database-url", default=None, help="IdP database (default: SQLite in the temporary directory)"
    )
    parser.add_argument(
        "--store-url", default="memory://", help="IdP short-lived store: memory:// (default) or redis://..."
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"JSON results ({RESULTS})")
    args = parser.parse_args(argv)
    if min(args.workers, args.threads, args.concurrency, args.max_requests, args.login_iterations) < 1:
        parser.error("--workers, --threads, --concurrency and the bounds must be at least 1")
    if args.duration <= 0:
        parser.error("--duration must be positive")
    if args.workers > 1 and args.store_url.startswith("memory:"):
        parser.error("--workers > 1 needs a shared store: add --store-url redis://127.0.0.1:6379/13")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        results = run(args)
    except HarnessError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    table = markdown_table(results)
    print()
    print(
        f"IdP: gunicorn workers={args.workers} threads={args.threads}; client threads={args.concurrency}; "
        f"up to {args.duration:g} s per scenario; {os.cpu_count()} CPUs"
    )
    print()
    print(table)
    for r in results:
        for sample in r.error_samples:
            print(f"  {r.scenario} error: {sample}")
    write_json(args.output, args, results)
    print(f"\nwritten to {args.output}")
    return 1 if any(r.requests == 0 for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
