"""Live streams: the hub woken after each committed write, and who may receive which event."""
