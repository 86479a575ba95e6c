"""HTTP routes for discovery, actors, collections and the public web pages."""
