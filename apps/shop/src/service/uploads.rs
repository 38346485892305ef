//! Product images (seed §5): a presigned `PUT` per file, images only.

use axum::http::HeaderMap;
use platform::ApiError;
use platform::objects::PresignedUpload;
use platform::texts::Language;
use platform::uploads::safe_file_name;
use platform::validate::FieldErrors;

use super::Service;
use crate::i18n;
use crate::model::UserId;

/// What may be uploaded, and the extension each type's objects get. SVG is not an
/// image here: it can carry script.
pub const IMAGE_TYPES: &[(&str, &str)] = &[
    ("image/png", "png"),
    ("image/jpeg", "jpg"),
    ("image/webp", "webp"),
    ("image/gif", "gif"),
];

impl Service {
    /// A URL to `PUT` one image to, under `products/{uuid}/{file_name}`.
    pub async fn presign_image(
        &self,
        lang: Language,
        request: &HeaderMap,
        owner: UserId,
        file_name: &str,
        file_type: &str,
    ) -> Result<PresignedUpload, ApiError> {
        let mut errors = FieldErrors::new(i18n::field_messages(lang));
        let name = errors.text("file_name", file_name, 255);
        if self.uploads.extension(file_type).is_none() {
            errors.add("file_type", i18n::IMAGE_TYPES_ONLY.in_(lang));
        }
        errors.finish()?;
        let key = format!(
            "products/{}/{}",
            uuid::Uuid::new_v4(),
            safe_file_name(&name)
        );
        self.uploads
            .presign(request, &key, file_type, &owner.to_string())
            .await
    }
}
