"""Authentication factors, one module each behind :class:`idp.factors.base.Factor`."""
