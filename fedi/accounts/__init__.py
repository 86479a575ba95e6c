"""Local members and how they get in: passwords, sessions, OAuth, sign-ups, profiles."""
