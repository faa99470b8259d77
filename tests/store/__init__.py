"""Tests of persistence: tables, migrations and the nugget store, on SQLite and PostgreSQL."""
