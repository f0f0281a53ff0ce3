"""Use cases: each function runs in one database transaction given by the caller."""
