"""The instance's newsletter: issues written by staff in each language, what they gather by
themselves, their publication as a followable Article, an archive and an Atom feed."""
