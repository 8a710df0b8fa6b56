"""How the product itself is doing, told to a person: whether each mailbox can send."""
