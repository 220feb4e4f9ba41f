-- Relay subscriptions (FEP-ae0c). style 'mastodon': the instance actor sent Follow{Public} to
-- inbox_url; 'litepub': it followed the relay's actor (actor_url) and accepts its Follow back.
-- follow_url is the id of our Follow, which the relay's Accept or Reject names; actor_url is
-- learnt from that answer for a Mastodon-style relay. Only an 'accepted' relay's activities
-- are taken in, and only accepted relays get our public activities.
CREATE TABLE relays (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    style TEXT NOT NULL CHECK (style IN ('mastodon', 'litepub')),
    inbox_url TEXT NOT NULL,
    actor_url TEXT,
    follow_url TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX relays_actor ON relays (actor_url);

-- Objects relays announced to us, one row per object id (a second announce of the same
-- object, by any relay, is dropped): 'pending' while its fetch from the origin is queued,
-- then 'stored' or 'refused'. The rows of the last hour are a relay's budget.
CREATE TABLE relay_objects (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    relay_id BIGINT NOT NULL REFERENCES relays (id) ON DELETE CASCADE,
    object_url TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('pending', 'stored', 'refused')),
    created_at BIGINT NOT NULL
);
CREATE INDEX relay_objects_budget ON relay_objects (relay_id, created_at);
CREATE INDEX relay_objects_pending ON relay_objects (relay_id, state);

-- How a remote video arrived: through a relay (relay_id; NULL once that relay is removed,
-- relay_url keeps where from). The discover view lists these.
CREATE TABLE relay_arrivals (
    video_id BIGINT PRIMARY KEY REFERENCES videos (id) ON DELETE CASCADE,
    relay_id BIGINT REFERENCES relays (id) ON DELETE SET NULL,
    relay_url TEXT NOT NULL,
    arrived_at BIGINT NOT NULL
);
CREATE INDEX relay_arrivals_relay ON relay_arrivals (relay_id);
CREATE INDEX relay_arrivals_arrived ON relay_arrivals (arrived_at);

-- Our objects (videos, comments) whose public Create or Update went to the relays: their
-- Delete goes there too, nothing else's does.
CREATE TABLE relay_published (
    object_url TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);

-- The discover view lists videos by their arrival: cached list pages must see it change.
CREATE CONSTRAINT TRIGGER relay_arrivals_list_version AFTER INSERT OR UPDATE OR DELETE
    ON relay_arrivals DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION bump_video_list_version();
