-- Due deliveries are read from the queued ones only (fedi.db.outbox_activities): a delivery that
-- is done or failed leaves this index, rather than moving within it, and the index stays the
-- size of the queue. Finished rows themselves are pruned after a week (fedi.federation.pruning).
DROP INDEX deliveries_due;
CREATE INDEX deliveries_queued ON deliveries (attempts, next_attempt_at) WHERE state = 'queued';
