"""Backend adapters: where events, tracking and read models live (SQLite file or PostgreSQL)."""
