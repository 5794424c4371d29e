"""Specialists' schedules, slots and appointments."""
