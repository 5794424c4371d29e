"""The login transaction: collects factors, hands a finished login to the protocol layer."""
