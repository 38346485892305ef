//! The category tree: admins add categories under a parent or at the root.

use chrono::Utc;
use platform::ApiError;
use platform::db::is_unique_violation;
use platform::texts::Language;
use platform::validate::FieldErrors;

use super::Service;
use crate::i18n;
use crate::model::{CategoryId, CategoryNode, CategoryRow};
use crate::store;

impl Service {
    /// Every category as trees from the roots, children by name.
    pub async fn category_tree(&self) -> Result<Vec<CategoryNode>, ApiError> {
        let rows = store::categories::all(&self.db).await?;
        Ok(children_of(&rows, None))
    }

    pub async fn add_category(
        &self,
        lang: Language,
        name: &str,
        parent: Option<CategoryId>,
    ) -> Result<CategoryRow, ApiError> {
        let mut errors = FieldErrors::new(i18n::field_messages(lang));
        let name = errors.text("name", name, 100);
        if let Some(parent) = parent
            && !store::categories::exists(&self.db, parent).await?
        {
            errors.add("parent_id", i18n::PARENT_UNKNOWN.in_(lang));
        }
        errors.finish()?;
        match store::categories::insert(&self.db, &name, parent, Utc::now()).await {
            Ok(row) => Ok(row),
            Err(e) if is_unique_violation(&e) => {
                Err(ApiError::conflict(i18n::CATEGORY_TAKEN.in_(lang)))
            }
            Err(e) => Err(e.into()),
        }
    }
}

fn children_of(rows: &[CategoryRow], parent: Option<CategoryId>) -> Vec<CategoryNode> {
    rows.iter()
        .filter(|r| r.parent_id == parent)
        .map(|r| CategoryNode {
            id: r.id,
            name: r.name.clone(),
            children: children_of(rows, Some(r.id)),
        })
        .collect()
}
