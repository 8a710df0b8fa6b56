"""Mail: composing messages (pure) and the SMTP and IMAP adapters."""
