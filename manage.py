#!/usr/bin/env python
"""Same as the `guatu` console script, for those who expect manage.py."""

from guatu.__main__ import main

if __name__ == "__main__":
    main()
