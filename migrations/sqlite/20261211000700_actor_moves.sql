-- Moving accounts and channels (issue 17). `actor_aliases`: the actors a local actor says it
-- also is (its `alsoKnownAs`), set by its owner before an old actor moves to it, and a remote
-- actor's list as last fetched. `moved_to_url`/`moved_at`: where an actor moved and when (a
-- moved actor cannot move again for 30 days; a receiver handles one Move per actor per 7 days).
CREATE TABLE actor_aliases (
    actor_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    alias_url TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (actor_id, alias_url)
);
ALTER TABLE actors ADD COLUMN moved_to_url TEXT;
ALTER TABLE actors ADD COLUMN moved_at INTEGER;
