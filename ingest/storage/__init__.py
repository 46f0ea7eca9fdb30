"""Persistence: SQLAlchemy models, engine set-up, migrations, and the read and write sides."""
