"""The treasurer's interface: every organisation's money, under /treasury/."""
