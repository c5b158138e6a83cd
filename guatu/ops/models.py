"""No models. The module is here so that Django sends this app `post_migrate` (it skips apps without one), on which
the data version's triggers are installed (apps.py)."""
