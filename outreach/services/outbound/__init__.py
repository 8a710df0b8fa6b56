"""Outbound: queuing campaigns, controlling them, the scheduler, sending each step, work on one partner."""
