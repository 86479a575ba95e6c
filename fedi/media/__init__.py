"""Members' media: uploads, images re-encoded without metadata, documents checked."""
