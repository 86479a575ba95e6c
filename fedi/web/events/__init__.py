"""The events pages: upcoming events, the form to create one, each event's page with its
registration forms and calendar, and the organisers' list of registrations (with its CSV)."""
