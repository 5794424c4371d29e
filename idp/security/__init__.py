"""Small cryptographic helpers shared by the domain services."""
