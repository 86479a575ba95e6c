-- Each process opening the database takes the next number here as its id tag (fedi.core.ids):
-- ids made by two processes in the same millisecond then differ in their tag bits. One row.
CREATE TABLE id_tags (
    next INTEGER NOT NULL
);

INSERT INTO id_tags (next) VALUES (0);
