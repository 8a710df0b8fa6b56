"""The partnership officer's workspace in the browser: server-rendered pages on the same
logbook and service layer as the command line."""
