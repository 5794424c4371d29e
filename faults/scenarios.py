"""The fault scenarios: load through the balancer, one fault each, and the criteria.

Load (:class:`Load`) is a thread pool of HTTP clients, one ``requests.Session`` each, in closed
loops through haproxy: ``client_credentials`` tokens, refresh-token chains (each thread rotates its
own chain and, after a 503, retries with the same refresh token, as a client should) and the
discovery document. Every answer is recorded with its time; every access token of a 200 is kept
and introspected after the scenario ("lost" counts tokens that are no longer active, and chains
whose refresh token the IdP refused although the client had only used it as told).

Criteria (:meth:`Outcome.failures`): no 5xx but 503 with ``Retry-After``, and those only from the
fault until recovery; no answer lost; no replay accepted; recovery within
:data:`RECOVERY_LIMIT` seconds without restarting any IdP instance.
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from faults.stack import BREAKER_COOL_DOWN, REDIRECT_URI, Instances, PrivatePostgres, PrivateRedis
from tests.support.http_login import authorize_code
from tests.support.servers import HarnessError, load_personas

TIMEOUT = 30.0
BASELINE = 2.0  # seconds of load before the fault
OUTAGE = 5.0  # seconds a dependency stays down or frozen
# seconds of nothing but 200s that count as recovered: longer than a worker's open circuit breaker
# plus haproxy's rise, or a worker that has not been asked yet would answer 503 after "recovery"
QUIET_TAIL = BREAKER_COOL_DOWN + 2.0
RECOVERY_LIMIT = 30.0
INTROSPECT_SAMPLE = 300  # tokens of the calm part of a scenario that are introspected (all of the outage's are)
SOAK_SECONDS = 30.0
SOAK_RSS_GROWTH_KIB = 32 * 1024  # per worker, from the soak's first sample to its last
SOAK_FD_GROWTH = 10


@dataclass
class Sample:
    at: float
    kind: str
    status: int  # 0: no HTTP answer (connection error, timeout)
    retry_after: bool
    detail: str = ""


@dataclass
class Outcome:
    scenario: str
    samples: list[Sample] = field(default_factory=list)
    lost: int = 0
    replays_accepted: int = 0
    outage: bool = False  # 503 with Retry-After are allowed between fault and recovery
    fault_at: float | None = None
    recovery_seconds: float | None = None
    recovered: bool = True
    notes: list[str] = field(default_factory=list)
    extra_failures: list[str] = field(default_factory=list)

    @property
    def five_xx(self) -> int:
        return sum(1 for s in self.samples if s.status >= 500)

    @property
    def unavailable(self) -> int:
        return sum(1 for s in self.samples if s.status == 503 and s.retry_after)

    def unexpected(self) -> list[Sample]:
        """Answers no criterion allows: other 5xx, no answer at all, 503 outside the outage."""
        bad = []
        for s in self.samples:
            unavailable = s.status == 503 and s.retry_after
            allowed_now = self.outage and self.fault_at is not None and s.at >= self.fault_at
            if s.status == 0 or (s.status >= 500 and not (unavailable and allowed_now)):
                bad.append(s)
        return bad

    def failures(self) -> list[str]:
        found = list(self.extra_failures)
        bad = self.unexpected()
        if bad:
            kinds: dict[str, int] = {}
            for s in bad:
                key = f"{s.kind} HTTP {s.status or 'no answer'} {s.detail[:80]}".strip()
                kinds[key] = kinds.get(key, 0) + 1
            found.append("unexpected answers: " + "; ".join(f"{n}× {k}" for k, n in kinds.items()))
        if self.lost:
            found.append(f"{self.lost} token(s) a client received were lost")
        if self.replays_accepted:
            found.append(f"{self.replays_accepted} replay(s) accepted")
        if not self.recovered:
            found.append(f"no recovery within {RECOVERY_LIMIT:.0f} s")
        return found


@dataclass
class Chain:
    """One refresh-token chain: the client's current refresh token."""

    refresh_token: str
    broken: str = ""


class Suite:
    """What every scenario uses: the balancer's URL, the clients, the chains, the stack's parts."""

    def __init__(
        self, *, url: str, instances: Instances, postgres: PrivatePostgres, redis: PrivateRedis, log: Path
    ) -> None:
        self.url = url
        self.instances = instances
        self.postgres = postgres
        self.redis = redis
        self.log = log
        self.personas = list(load_personas().values())
        self._next_persona = 0
        self.chains: list[Chain] = []

    # --- protocol steps ---------------------------------------------------------------------

    def login_tokens(self) -> dict[str, Any]:
        """A full scripted login through the balancer (password, SMS code from the dev outbox,
        consent) and the code's exchange: the demo client's tokens with a refresh token."""
        code, verifier = self.login_code()
        resp = requests.post(f"{self.url}/token", auth=self.instances.demo_client, timeout=TIMEOUT, data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "code_verifier": verifier,
        })  # fmt: skip
        if resp.status_code != 200:
            raise HarnessError(f"code exchange: HTTP {resp.status_code} {resp.text[:300]}")
        tokens: dict[str, Any] = resp.json()
        return tokens

    def login_code(self) -> tuple[str, str]:
        person = self.personas[self._next_persona % len(self.personas)]
        self._next_persona += 1
        with requests.Session() as browser:
            result = authorize_code(
                browser, authorization_endpoint=f"{self.url}/authorize", idp_url=self.url,
                client_id=self.instances.demo_client[0], redirect_uri=REDIRECT_URI, phone=person["phone"],
                password=person["password"], scope="openid profile offline_access",
            )  # fmt: skip
        if "code" not in result.params:
            raise HarnessError(f"login gave no code: {result.redirect}")
        return result.params["code"], result.request.verifier

    def ensure_chains(self, count: int) -> list[Chain]:
        self.chains = [c for c in self.chains if not c.broken]
        while len(self.chains) < count:
            self.chains.append(Chain(self.login_tokens()["refresh_token"]))
        return self.chains[:count]

    def introspect(self, token: str, client: tuple[str, str]) -> bool | None:
        """Whether ``token`` is active; None when introspection itself did not answer 200."""
        resp = requests.post(f"{self.url}/introspect", auth=client, data={"token": token}, timeout=TIMEOUT)
        if resp.status_code != 200:
            return None
        return bool(resp.json().get("active"))


class Load:
    """Closed loops through the balancer until :meth:`stop`; answers go into ``outcome``."""

    def __init__(self, suite: Suite, outcome: Outcome, *, cc: int = 3, chains: int = 4, discovery: int = 1) -> None:
        self.suite, self.outcome = suite, outcome
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.tokens: list[tuple[float, str, tuple[str, str]]] = []  # (at, access token, its client)
        self._chains = suite.ensure_chains(chains)
        self._threads = [threading.Thread(target=self._cc_loop, daemon=True) for _ in range(cc)]
        self._threads += [threading.Thread(target=self._chain_loop, args=(c,), daemon=True) for c in self._chains]
        self._threads += [threading.Thread(target=self._discovery_loop, daemon=True) for _ in range(discovery)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=TIMEOUT + 5)

    def _record(self, kind: str, resp: requests.Response | None, detail: str = "") -> None:
        sample = Sample(
            at=time.monotonic(),
            kind=kind,
            status=resp.status_code if resp is not None else 0,
            retry_after=resp is not None and bool(resp.headers.get("Retry-After")),
            detail=detail or (resp.text[:120] if resp is not None and resp.status_code != 200 else ""),
        )
        with self._lock:
            self.outcome.samples.append(sample)

    def _post(self, session: requests.Session, kind: str, **kwargs: Any) -> requests.Response | None:
        try:
            resp = session.post(f"{self.suite.url}/token", timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            self._record(kind, None, f"{exc.__class__.__name__}")
            time.sleep(0.1)
            return None
        self._record(kind, resp)
        return resp

    def _keep(self, resp: requests.Response, client: tuple[str, str]) -> dict[str, Any]:
        body: dict[str, Any] = resp.json()
        with self._lock:
            self.tokens.append((time.monotonic(), body["access_token"], client))
        return body

    def _cc_loop(self) -> None:
        client = self.suite.instances.cc_client
        with requests.Session() as session:
            while not self._stop.is_set():
                resp = self._post(session, "client_credentials", auth=client, data={"grant_type": "client_credentials"})
                if resp is not None and resp.status_code == 200:
                    self._keep(resp, client)
                elif resp is not None:
                    time.sleep(0.1)

    def _chain_loop(self, chain: Chain) -> None:
        client = self.suite.instances.demo_client
        with requests.Session() as session:
            while not self._stop.is_set():
                data = {"grant_type": "refresh_token", "refresh_token": chain.refresh_token}
                resp = self._post(session, "refresh_token", auth=client, data=data)
                if resp is None:
                    continue  # no answer: the same refresh token again
                if resp.status_code == 200:
                    chain.refresh_token = self._keep(resp, client)["refresh_token"]
                elif resp.status_code < 500:
                    chain.broken = f"HTTP {resp.status_code} {resp.text[:200]}"
                    with self._lock:
                        self.outcome.lost += 1
                        self.outcome.notes.append(f"refresh chain refused: {chain.broken}")
                    return
                else:
                    time.sleep(0.2)  # 503: retry the same refresh token a little later

    def _discovery_loop(self) -> None:
        with requests.Session() as session:
            while not self._stop.is_set():
                try:
                    resp = session.get(f"{self.suite.url}/.well-known/openid-configuration", timeout=TIMEOUT)
                except requests.RequestException as exc:
                    self._record("discovery", None, exc.__class__.__name__)
                    time.sleep(0.1)
                    continue
                self._record("discovery", resp)

    def last_bad_since(self, since: float) -> float | None:
        with self._lock:
            bad = [s.at for s in self.outcome.samples if s.at >= since and s.status != 200]
        return max(bad) if bad else None


def check_tokens(suite: Suite, load: Load, outcome: Outcome, *, window: tuple[float, float] | None) -> None:
    """Introspect every access token received in ``window`` and a sample of the others."""
    inside = [t for t in load.tokens if window is not None and window[0] - 1 <= t[0] <= window[1] + 1]
    outside = [t for t in load.tokens if t not in inside]
    picked = inside + random.sample(outside, min(INTROSPECT_SAMPLE, len(outside)))
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda t: suite.introspect(t[1], t[2]), picked))
    inactive = sum(1 for a in answers if a is False)
    unanswered = sum(1 for a in answers if a is None)
    outcome.lost += inactive
    outcome.notes.append(f"introspected {len(picked)} of {len(load.tokens)} access tokens: {inactive} inactive")
    if unanswered:
        outcome.extra_failures.append(f"introspection did not answer 200 for {unanswered} token(s)")


def _run_fault(suite: Suite, name: str, inject: Callable[[], None], clear: Callable[[], None]) -> Outcome:
    """Load, the fault for :data:`OUTAGE` seconds, then load until a quiet tail proves recovery."""
    outcome = Outcome(name, outage=True)
    pids_before = {s.proc.pid for s in suite.instances.servers if s.proc is not None}
    with Load(suite, outcome) as load:
        time.sleep(BASELINE)
        outcome.fault_at = time.monotonic()
        inject()
        time.sleep(OUTAGE)
        clear()
        cleared = time.monotonic()
        while True:
            time.sleep(0.25)
            now = time.monotonic()
            last_bad = load.last_bad_since(cleared)
            if now - max(last_bad or cleared, cleared) >= QUIET_TAIL:
                outcome.recovery_seconds = round(max(0.0, (last_bad or cleared) - cleared), 1)
                break
            if now - cleared > RECOVERY_LIMIT:
                outcome.recovered = False
                break
    pids_after = {s.proc.pid for s in suite.instances.servers if s.proc is not None and s.proc.poll() is None}
    if pids_after != pids_before:
        outcome.extra_failures.append("an IdP instance exited during the scenario")
    from_balancer = sum(
        1 for s in outcome.samples if s.status == 503 and s.retry_after and "no IdP instance is ready" in s.detail
    )
    outcome.notes.append(
        f"503 with Retry-After: {outcome.unavailable - from_balancer} from the IdP, {from_balancer} from haproxy "
        "(every instance unready)"
    )
    check_tokens(suite, load, outcome, window=(outcome.fault_at, cleared + (outcome.recovery_seconds or 0)))
    return outcome


# --- the scenarios ------------------------------------------------------------------------


def races(suite: Suite) -> Outcome:
    """20 parallel redemptions of one refresh token, then of one code, through the balancer."""
    outcome = Outcome("races through the balancer")
    token = suite.login_tokens()["refresh_token"]
    code, verifier = suite.login_code()
    barrier = threading.Barrier(20)
    client = suite.instances.demo_client

    def redeem(data: dict[str, str]) -> None:
        with requests.Session() as session:
            barrier.wait()
            try:
                resp = session.post(f"{suite.url}/token", auth=client, data=data, timeout=TIMEOUT)
            except requests.RequestException as exc:
                outcome.samples.append(Sample(time.monotonic(), data["grant_type"], 0, False, exc.__class__.__name__))
                return
            outcome.samples.append(
                Sample(
                    time.monotonic(),
                    data["grant_type"],
                    resp.status_code,
                    bool(resp.headers.get("Retry-After")),
                    resp.text[:120] if resp.status_code != 200 else "",
                )
            )

    for data in (
        {"grant_type": "refresh_token", "refresh_token": token},
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "code_verifier": verifier},
    ):
        before = len(outcome.samples)
        with ThreadPoolExecutor(max_workers=20) as pool:
            list(pool.map(redeem, [data] * 20))
        round_ = outcome.samples[before:]
        winners = sum(1 for s in round_ if s.status == 200)
        outcome.replays_accepted += max(0, winners - 1)
        if winners == 0:
            outcome.extra_failures.append(f"no winner among 20 {data['grant_type']} redemptions")
        refused = sum(1 for s in round_ if 400 <= s.status < 500)
        outcome.notes.append(f"{data['grant_type']}: {winners} winner(s), {refused} refused")
    return outcome


def redis_restarted_empty(suite: Suite) -> Outcome:
    return _run_fault(suite, "Redis killed, restarted empty", suite.redis.kill, suite.redis.start)


def redis_frozen(suite: Suite) -> Outcome:
    return _run_fault(suite, "Redis frozen (SIGSTOP)", suite.redis.freeze, suite.redis.thaw)


def postgres_stopped(suite: Suite) -> Outcome:
    return _run_fault(suite, "PostgreSQL stopped", suite.postgres.stop, suite.postgres.start)


def reload_one(suite: Suite) -> Outcome:
    """SIGHUP to one gunicorn master under load: new workers, old ones finish; no 5xx at all."""
    outcome = Outcome("SIGHUP to one instance")
    server = suite.instances.servers[0]
    assert server.proc is not None
    before = set(suite.instances.worker_pids())
    with Load(suite, outcome) as load:
        time.sleep(BASELINE)
        os.kill(server.proc.pid, signal.SIGHUP)
        deadline = time.monotonic() + RECOVERY_LIMIT
        while time.monotonic() < deadline:  # the reloaded instance has a new set of workers
            time.sleep(0.25)
            now = set(suite.instances.worker_pids())
            if len(now) == len(before) and len(now - before) >= 2:
                break
        else:
            outcome.extra_failures.append("the reloaded instance did not replace its workers")
        time.sleep(3.0)
    outcome.notes.append(f"workers replaced: {len(before - set(suite.instances.worker_pids()))}")
    check_tokens(suite, load, outcome, window=None)
    return outcome


def _usage(pid: int) -> tuple[int, int]:
    """(RSS in KiB, open file descriptors) of a process, from /proc."""
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def soak(suite: Suite) -> Outcome:
    """:data:`SOAK_SECONDS` of load; the workers' RSS and fd counts may grow only within bounds."""
    outcome = Outcome(f"soak {SOAK_SECONDS:.0f} s")
    with Load(suite, outcome) as load:
        time.sleep(3.0)  # warm: every worker has served, its pools are open
        pids = suite.instances.worker_pids()
        first = {pid: _usage(pid) for pid in pids}
        time.sleep(SOAK_SECONDS)
        last = {pid: _usage(pid) for pid in pids if Path(f"/proc/{pid}").exists()}
    if set(last) != set(first):
        outcome.extra_failures.append("a worker exited during the soak")
    growth = {pid: (last[pid][0] - first[pid][0], last[pid][1] - first[pid][1]) for pid in last}
    rss_max = max((g[0] for g in growth.values()), default=0)
    fd_max = max((g[1] for g in growth.values()), default=0)
    outcome.notes.append(f"{len(growth)} workers: max RSS growth {rss_max} KiB, max fd growth {fd_max}")
    if rss_max > SOAK_RSS_GROWTH_KIB:
        outcome.extra_failures.append(f"RSS grew {rss_max} KiB (bound {SOAK_RSS_GROWTH_KIB})")
    if fd_max > SOAK_FD_GROWTH:
        outcome.extra_failures.append(f"open fds grew by {fd_max} (bound {SOAK_FD_GROWTH})")
    check_tokens(suite, load, outcome, window=None)
    return outcome


SCENARIOS: list[Callable[[Suite], Outcome]] = [
    races,
    redis_restarted_empty,
    redis_frozen,
    postgres_stopped,
    reload_one,
    soak,
]
