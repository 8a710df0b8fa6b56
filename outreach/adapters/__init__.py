"""Adapters at the edges: files, the database, mail servers, the broker."""
