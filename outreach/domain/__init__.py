"""The pure core: the guide's vocabulary and rules, over plain data. No I/O here."""
