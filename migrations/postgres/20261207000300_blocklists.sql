-- Mutes ("blocklists", PeerTube's account and server blocks; not federated). A row hides an
-- account, or every account of a server, from one user (owner_account_id = that user's
-- account) or from the whole instance (owner_account_id IS NULL; the instance's mutes also
-- close its inbox and deliveries to them). by_account_id is who added the row (the user, or
-- the moderator for the instance). Video lists filter on them, so they move the list version.
CREATE TABLE account_blocks (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    by_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    target_account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX account_blocks_of_user ON account_blocks (owner_account_id, target_account_id)
    WHERE owner_account_id IS NOT NULL;
CREATE UNIQUE INDEX account_blocks_of_instance ON account_blocks (target_account_id)
    WHERE owner_account_id IS NULL;
CREATE INDEX account_blocks_target ON account_blocks (target_account_id, owner_account_id);
CREATE INDEX account_blocks_by ON account_blocks (by_account_id);

CREATE TABLE server_blocks (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    by_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    host TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX server_blocks_of_user ON server_blocks (owner_account_id, host)
    WHERE owner_account_id IS NOT NULL;
CREATE UNIQUE INDEX server_blocks_of_instance ON server_blocks (host)
    WHERE owner_account_id IS NULL;
CREATE INDEX server_blocks_host ON server_blocks (host, owner_account_id);
CREATE INDEX server_blocks_by ON server_blocks (by_account_id);

DO $$
DECLARE
    listed TEXT;
BEGIN
    FOREACH listed IN ARRAY ARRAY['account_blocks', 'server_blocks']
    LOOP
        EXECUTE format('CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I '
            'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_video_list_version()',
            listed || '_list_version', listed);
    END LOOP;
END
$$;
