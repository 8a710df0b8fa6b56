"""A queued campaign's settings as the workers read them: the row in the logbook, with the
mailbox the administrator registered. Below the services, beside the messages."""
