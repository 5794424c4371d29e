"""Values that may be used once (codes, proof and assertion ``jti``s, TOTP steps, ESIA states)
and revoked access tokens, remembered in the database: their loss would re-open an attack."""
