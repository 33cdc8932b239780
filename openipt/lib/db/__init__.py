"""Database backends of our own (thin subclasses of Django's)."""
