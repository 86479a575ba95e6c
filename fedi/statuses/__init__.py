"""Members' posts and what others do with them: posts, favourites, boosts, polls, filters,
translation."""
