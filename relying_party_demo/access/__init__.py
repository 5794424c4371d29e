"""Who may do what: the pure policy, the regional rules it reads, and the regions directory."""
