"""Meetings: exploration-meeting invitations and answers; collaboration setup (MoU, proposal) and check-ins."""
