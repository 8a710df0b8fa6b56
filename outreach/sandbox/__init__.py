"""A sandbox mail server on loopback, for `outreach demo` and for trying a campaign out:
real SMTP (aiosmtpd) and IMAP (pymap) servers in this process, and scripted partners who
answer what they receive. Nothing leaves the machine."""
