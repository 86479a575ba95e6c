-- The instance's newsletter: issues written by staff, a title and a body in each language they
-- wrote it in. An issue is a draft until it is published; publishing makes it an Article of the
-- instance's newsletter account (status_id), shown in the archive and the Atom feed.
CREATE TABLE newsletter_issues (
    id INTEGER PRIMARY KEY,
    created_by INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    published_at TEXT,
    status_id INTEGER REFERENCES statuses (id) ON DELETE SET NULL
);
CREATE INDEX newsletter_issues_published ON newsletter_issues (published_at, id)
    WHERE published_at IS NOT NULL;

CREATE TABLE newsletter_texts (
    issue_id INTEGER NOT NULL REFERENCES newsletter_issues (id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (issue_id, language)
);
