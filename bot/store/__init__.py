"""Persistence behind small interfaces: SQLAlchemy tables, migrations, the nugget store."""
