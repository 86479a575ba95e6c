-- Events and webinars (events.md): local and remote events, registrations to them, the
-- reminders already sent, and each member's time zone for showing times.
-- Times are stored in UTC; `time_zone` is the event's own IANA zone, for display and .ics.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    uri TEXT NOT NULL UNIQUE,
    url TEXT,
    organiser_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The space the event belongs to (a local or remote Group); an event of a members-only
    -- space goes with it.
    group_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    is_local INTEGER NOT NULL,
    -- Anyone may see it (a public event, or one of a public space). Otherwise only the space's
    -- members (a local members-only space) or the organiser's followers (a remote event sent
    -- without Public).
    is_public INTEGER NOT NULL DEFAULT 1,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',        -- sanitised HTML
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    -- The meeting link of a local event: shown to organisers and accepted registrants only,
    -- never in the object everyone receives.
    online_url TEXT,
    language TEXT,
    capacity INTEGER CHECK (capacity IS NULL OR capacity > 0),
    join_mode TEXT NOT NULL DEFAULT 'open'
        CHECK (join_mode IN ('open', 'approval', 'external', 'none')),
    -- What the organiser's server says of a remote event (local ones are counted).
    remote_participant_count INTEGER,
    remote_remaining_capacity INTEGER,
    is_cancelled INTEGER NOT NULL DEFAULT 0,
    sequence INTEGER NOT NULL DEFAULT 0,         -- raised on every change (.ics SEQUENCE)
    -- A local event whose counts changed since its last Update{Event} (sent by the events
    -- loop, at most one per event per round: registrations in a burst share one).
    update_pending INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (ends_at >= starts_at)
);
CREATE INDEX events_starts ON events (starts_at);
CREATE INDEX events_group ON events (group_id, starts_at) WHERE group_id IS NOT NULL;
CREATE INDEX events_organiser ON events (organiser_id, starts_at);
CREATE INDEX events_update_pending ON events (id) WHERE update_pending = 1;

-- Who registered. state: pending (awaiting an organiser, or the remote organiser's answer)
-- -> accepted | waitlisted | rejected; waitlisted -> accepted when a place frees up; any ->
-- cancelled. Never more accepted rows than the event's capacity (fedi.db.events.settle).
CREATE TABLE event_registrations (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    state TEXT NOT NULL
        CHECK (state IN ('accepted', 'pending', 'waitlisted', 'rejected', 'cancelled')),
    -- Approved by an organiser (approval mode): waits for a place, never for approval again.
    is_approved INTEGER NOT NULL DEFAULT 0,
    join_uri TEXT UNIQUE,                        -- the Join activity's id
    message TEXT NOT NULL DEFAULT '',            -- Mobilizon's participationMessage, plain text
    -- For a remote event: the meeting link its organisers sent with their Accept.
    online_url TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (event_id, account_id)
);
CREATE INDEX event_registrations_queue ON event_registrations (event_id, state, id);
CREATE INDEX event_registrations_account ON event_registrations (account_id, state);

-- Reminders sent (kind '24h' or '1h'): each one exactly once per registrant.
CREATE TABLE event_reminders (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('24h', '1h')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (event_id, account_id, kind)
);

-- A notification about an event (a reminder, a registration to approve, an answer).
ALTER TABLE notifications ADD COLUMN event_id INTEGER REFERENCES events (id) ON DELETE CASCADE;

-- The time zone a member reads times in (IANA name); without one, each event's own zone.
CREATE TABLE member_time_zones (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    time_zone TEXT NOT NULL
);
