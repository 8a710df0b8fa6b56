"""Inbound mail: one normalised message type, classification, and matching to partners."""
