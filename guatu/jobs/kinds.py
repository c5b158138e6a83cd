"""The jobs app's own kinds of job (other apps declare theirs in their `jobs.py`)."""
