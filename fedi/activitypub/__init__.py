"""ActivityStreams vocabulary and the conversions between domain objects and AS2 JSON."""
