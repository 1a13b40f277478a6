"""Storage: SQLAlchemy models, migrations, sessions and bulk upserts."""
