-- The instance settings an administrator changed at run time (PUT /api/v1/config/custom): one
-- row holding the edited settings as JSON, which take precedence over the configuration file's
-- [instance] values until DELETE /api/v1/config/custom removes the row.
CREATE TABLE custom_config (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    settings TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
