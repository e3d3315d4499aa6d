"""The SQLite store, its migrations and the output directory's lock."""
