#!/usr/bin/env python
"""Django's command-line utility; `haven` is the same thing, installed on PATH."""

from haven.cli import main

if __name__ == "__main__":
    main()
