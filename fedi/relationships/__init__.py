"""Whom a member follows, blocks or mutes, and whose new posts they are told of."""
