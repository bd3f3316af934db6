"""Messages to people: the outbox, the channel that carries each one, sending it once, message kinds
and templates, subscribe quota."""
