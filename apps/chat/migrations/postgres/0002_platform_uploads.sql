-- The ledger of issued upload keys moved to the platform's own table
-- (platform_uploads, created before the app's migrations run).
INSERT INTO platform_uploads (object_key, owner, content_type, created_at)
SELECT object_key, owner_id::text, content_type, created_at FROM uploads
ON CONFLICT (object_key) DO NOTHING;

DROP TABLE uploads;
