"""Messages to people: SMS and e-mail, through a real adapter or the dev outbox."""
