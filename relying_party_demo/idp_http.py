"""JSON GETs to the IdP; network and format failures become :class:`IdpUnavailable`."""

from __future__ import annotations

from typing import Any

import requests

from relying_party_demo.errors import IdpUnavailable


def get_json_object(url: str, *, timeout: float, session: requests.Session | None = None) -> dict[str, Any]:
    """GET ``url`` and return its JSON object body, or raise :class:`IdpUnavailable`."""
    http = session or requests
    try:
        response = http.get(url, timeout=timeout, headers={"Accept": "application/json"})
    except requests.RequestException as exc:
        raise IdpUnavailable(f"GET {url} failed: {exc.__class__.__name__}") from exc
    if response.status_code != 200:
        raise IdpUnavailable(f"GET {url} answered HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError as exc:
        raise IdpUnavailable(f"GET {url} did not return JSON") from exc
    if not isinstance(data, dict):
        raise IdpUnavailable(f"GET {url} did not return a JSON object")
    return data
