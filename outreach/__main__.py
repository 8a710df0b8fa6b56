from outreach.cli import run

run()
