-- The accounts a member follows, read from the index alone: the home timeline asks for them on
-- every page (the window's member test and the followed accounts' source), and fetching each
-- follow's row for its followed_id cost more than the rest of the walk.
CREATE INDEX follows_follower_followed ON follows (follower_id, state, followed_id);
