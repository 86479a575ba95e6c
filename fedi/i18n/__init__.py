"""The five languages: gettext catalogues (locale/) compiled in memory, one chosen per request."""
