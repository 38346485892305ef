//! `[apps.shop]` / `ONDOL_SHOP_*`: shop's own settings (the platform's, such as
//! `port` and `public_url`, are listed in the README).

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// How long a presigned upload URL stays valid (seed §5.3: an hour).
    pub upload_url_ttl_seconds: u64,
    /// The largest image upload.
    pub image_max_bytes: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            upload_url_ttl_seconds: 3600,
            image_max_bytes: 10 << 20,
        }
    }
}
