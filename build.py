#!/usr/bin/env python3
"""Build the site: the same as `perfsite build` (options are passed through)."""

import sys

from perfsite.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))
