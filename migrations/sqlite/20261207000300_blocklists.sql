-- Mutes ("blocklists", PeerTube's account and server blocks; not federated). A row hides an
-- account, or every account of a server, from one user (owner_account_id = that user's
-- account) or from the whole instance (owner_account_id IS NULL; the instance's mutes also
-- close its inbox and deliveries to them). by_account_id is who added the row (the user, or
-- the moderator for the instance). Video lists filter on them, so they move the list version.
CREATE TABLE account_blocks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_account_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    by_account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    target_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX account_blocks_of_user ON account_blocks (owner_account_id, target_account_id)
    WHERE owner_account_id IS NOT NULL;
CREATE UNIQUE INDEX account_blocks_of_instance ON account_blocks (target_account_id)
    WHERE owner_account_id IS NULL;
CREATE INDEX account_blocks_target ON account_blocks (target_account_id, owner_account_id);
CREATE INDEX account_blocks_by ON account_blocks (by_account_id);

CREATE TABLE server_blocks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_account_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    by_account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    host TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX server_blocks_of_user ON server_blocks (owner_account_id, host)
    WHERE owner_account_id IS NOT NULL;
CREATE UNIQUE INDEX server_blocks_of_instance ON server_blocks (host)
    WHERE owner_account_id IS NULL;
CREATE INDEX server_blocks_host ON server_blocks (host, owner_account_id);
CREATE INDEX server_blocks_by ON server_blocks (by_account_id);

CREATE TRIGGER account_blocks_insert_list_version AFTER INSERT ON account_blocks
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER account_blocks_update_list_version AFTER UPDATE ON account_blocks
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER account_blocks_delete_list_version AFTER DELETE ON account_blocks
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER server_blocks_insert_list_version AFTER INSERT ON server_blocks
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER server_blocks_update_list_version AFTER UPDATE ON server_blocks
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER server_blocks_delete_list_version AFTER DELETE ON server_blocks
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
