"""Command code of the ``tradesim`` command line (a face): plain functions that read their
arguments, call the layers below and print; :mod:`sim.cli` wires them in and maps errors to exit
codes (one map for every command)."""
