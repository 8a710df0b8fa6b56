"""Inbound mail: is it ours, store it, match it to a partner, act on what it is."""
