"""Where a request came from, as the web layer read it: domain code never reads the request."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    """The client's address and User-Agent ("" when unknown, e.g. outside a request)."""

    ip: str = ""
    user_agent: str = ""

    @property
    def browser(self) -> str:
        """The User-Agent as messages and confirmation pages show it (120 characters at most)."""
        return self.user_agent[:120]
