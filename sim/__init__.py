"""tradesim."""
