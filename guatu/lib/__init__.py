"""Framework-free helpers: each module here imports nothing from Django."""
