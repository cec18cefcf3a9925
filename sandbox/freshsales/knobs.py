"""Test hooks of the Freshsales stand-in for its request hour and its injected faults: no key,
never counted, not part of Freshsales' API (the app's other hooks, the clock among them, are in
its own hooks module; this one answers first and hands back what it does not serve).

The hour of a real account is shared with the customer's other integrations (destinations-2.md
§3.10 item 5), so tests need to start a load with part of it spent; the acceptance kit and the
benchmark need faults they can switch on and off without restarting the stand-in.

* ``GET /_sandbox/hour[?account=NAME]`` — per account: its hour, how much of it is used, its
  minute limit and the minute's use.
* ``POST /_sandbox/hour/used?account=NAME&used=N`` — set the hour's count (booked now, so it
  frees an hour later), as if the customer's other integrations had spent it; every account
  when ``account`` is left out.
* ``POST /_sandbox/hour/limits?account=NAME&hourly=N[&per_minute=M]`` — change an account's
  limits (``per_minute`` left out: none), or ``plan=free|growth|pro|enterprise``.
* ``GET /_sandbox/faults`` — the fault rates and seed; ``POST /_sandbox/faults`` with a JSON
  object of ``p500``, ``p_drop_after_commit``, ``p_truncate``, ``p_slow``, ``slow_seconds``,
  ``seed`` changes them (a given seed restarts the seeded sequence).
"""

from __future__ import annotations

from collections.abc import Callable

from sandbox.freshsales.limits import RequestLimits
from sandbox.httpbase import FaultPlan, Request, Response


class Knobs:
    def __init__(
        self, limits: RequestLimits, faults: FaultPlan, account_names: Callable[[], list[str]]
    ) -> None:
        self.limits, self.faults, self.account_names = limits, faults, account_names

    def handle(self, request: Request) -> Response | None:
        route = (request.method, request.path.rstrip("/"))
        try:
            if route == ("GET", "/_sandbox/hour"):
                return self._states(request)
            if route == ("POST", "/_sandbox/hour/used"):
                used = _whole(request.param("used"), "used")
                for account in self._chosen(request):
                    self.limits.set_used(account, used)
                return self._states(request)
            if route == ("POST", "/_sandbox/hour/limits"):
                return self._configure(request)
            if route == ("GET", "/_sandbox/faults"):
                return Response(200, self.faults.settings())
            if route == ("POST", "/_sandbox/faults"):
                settings = request.json()
                if not isinstance(settings, dict):
                    raise ValueError("the body must be a JSON object of fault settings")
                self.faults.update(settings)
                return Response(200, self.faults.settings())
        except ValueError as exc:
            return Response(400, {"error": str(exc)})
        return None

    def _chosen(self, request: Request) -> list[str]:
        name = request.param("account")
        names = self.account_names()
        if name is None:
            return names
        if name not in names:
            raise ValueError(f"no account {name!r}")
        return [name]

    def _configure(self, request: Request) -> Response:
        hourly = request.param("hourly")
        per_minute = request.param("per_minute")
        for account in self._chosen(request):
            self.limits.configure(
                account,
                plan=request.param("plan") or "growth",
                hourly=None if hourly is None else _whole(hourly, "hourly"),
                per_minute=None if per_minute is None else _whole(per_minute, "per_minute"),
            )
        return self._states(request)

    def _states(self, request: Request) -> Response:
        return Response(200, {"hours": [self.limits.state(a) for a in self._chosen(request)]})


def _whole(text: str | None, name: str) -> int:
    if text is None or not text.isdigit():
        raise ValueError(f"{name} must be a whole number")
    return int(text)
