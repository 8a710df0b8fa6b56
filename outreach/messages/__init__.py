"""Messages as the partner reads them: rendering, attachments and the envelope. Below the
services, above the templates and the mail adapters: every service that writes mail uses these."""
