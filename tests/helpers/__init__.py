"""Helpers shared by tests: database snapshots, sandbox settings."""
