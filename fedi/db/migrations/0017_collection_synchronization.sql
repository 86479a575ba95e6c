-- FEP-8fcf: the Collection-Synchronization header a delivery carried, kept with the activity so
-- that the inbox worker (not the request) compares follower digests and fetches the list.
ALTER TABLE inbox_activities ADD COLUMN collection_sync TEXT;
