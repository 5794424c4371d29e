"""Runs the unmodified ``esia-connector`` library (PyPI, eigenmethod/saprun) in its own
process, with its own pinned dependencies (PyJWT 1.x) on ``PYTHONPATH``.

    driver.py auth-url  SETTINGS_JSON [STATE]      -> prints the authorization URL
    driver.py complete  SETTINGS_JSON CODE STATE   -> prints the person data as JSON
"""

from __future__ import annotations

import json
import sys

from esia_connector.client import EsiaAuth, EsiaSettings


def _auth(settings_json: str) -> EsiaAuth:
    options = json.loads(settings_json)
    return EsiaAuth(EsiaSettings(**options))


def main(argv: list[str]) -> None:
    command, settings_json = argv[1], argv[2]
    auth = _auth(settings_json)
    if command == "auth-url":
        print(auth.get_auth_url(state=argv[3] if len(argv) > 3 else None))
        return
    connector = auth.complete_authorization(argv[3], argv[4], validate_token=True)
    print(
        json.dumps(
            {
                "oid": connector.oid,
                "person": connector.get_person_main_info(),
                "contacts": connector.get_person_contacts(),
                "addresses": connector.get_person_addresses(),
                "documents": connector.get_person_documents(),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main(sys.argv)
