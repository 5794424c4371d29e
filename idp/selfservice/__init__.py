"""Self-service use cases that span several lower packages: registration, password reset,
contact and factor management, account lifecycle, sessions, persona seeding."""
