"""Exploration-meeting invitations (iCalendar, iTIP) and the partners' answers. Pure."""
