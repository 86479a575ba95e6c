"""Machine translation of posts (Mastodon's translate button): which posts may reach the engine
the operator configured, the LibreTranslate and DeepL engines, and translations kept in the
database so that asking again costs the engine nothing."""
