"""Accounts of the web workspace and the administration that belongs to them."""
