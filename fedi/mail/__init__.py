"""E-mail: messages in the recipient's language, a durable outgoing queue, SMTP or .eml files."""
