"""The test suite's argon2id cost: cheap, so tests spend their time on behaviour.

Development mode accepts it; production refuses it (IdpSettings.check), so a production-mode
test app hashes at the real cost. tests/conftest.py passes these settings to every app and
hashes the personas with the same parameters.
"""

from __future__ import annotations

from idp.accounts.passwords import HashParameters

TEST_HASH_PARAMETERS = HashParameters(memory_kib=1024, time_cost=1, parallelism=1)

TEST_HASH_SETTINGS = {
    "password_hash_memory_kib": TEST_HASH_PARAMETERS.memory_kib,
    "password_hash_time_cost": TEST_HASH_PARAMETERS.time_cost,
    "password_hash_parallelism": TEST_HASH_PARAMETERS.parallelism,
}

# The same, as the environment of a server a test starts (tests/support/servers.py).
TEST_HASH_ENVIRON = {f"GOSID_{name.upper()}": str(value) for name, value in TEST_HASH_SETTINGS.items()}
