-- The ledger of issued upload keys moved to the platform's own table
-- (platform_uploads, created before the app's migrations run).
INSERT INTO platform_uploads (object_key, owner, content_type, created_at)
SELECT object_key,
       lower(substr(hex(owner_id), 1, 8) || '-' || substr(hex(owner_id), 9, 4) || '-' ||
             substr(hex(owner_id), 13, 4) || '-' || substr(hex(owner_id), 17, 4) || '-' ||
             substr(hex(owner_id), 21, 12)),
       content_type, created_at
FROM uploads
WHERE true
ON CONFLICT (object_key) DO NOTHING;

DROP TABLE uploads;
