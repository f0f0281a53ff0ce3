"""Storage: SQLAlchemy Core tables, migrations and the queries the services need."""
