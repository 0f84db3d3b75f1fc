"""Helpers shared by tests, imported from here (conftest files hold only fixtures)."""
