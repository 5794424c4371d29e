"""HTTP surfaces of the IdP, one blueprint per surface."""
