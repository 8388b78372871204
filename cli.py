"""Checkout shim: `python cli.py ...` works like the installed `reason-miner` command."""

from reason_miner.cli import main

if __name__ == "__main__":
    main()
