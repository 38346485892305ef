//! The apps this binary carries.

use std::sync::Arc;

use platform::App;

pub fn all() -> Vec<Arc<dyn App>> {
    vec![
        Arc::new(delivery::Delivery),
        Arc::new(chat::Chat),
        Arc::new(shop::Shop),
        Arc::new(reviews::Reviews),
        Arc::new(focusmate::Focusmate),
    ]
}

/// The names of every app of this build, which own `[apps.<name>]` and
/// `ONDOL_<NAME>_*` settings.
pub fn names() -> Vec<&'static str> {
    all().iter().map(|a| a.manifest().name).collect()
}

/// The named apps, or all of them when none is named.
pub fn select(names: &[String]) -> anyhow::Result<Vec<Arc<dyn App>>> {
    if names.is_empty() {
        return Ok(all());
    }
    names.iter().map(|n| one(n)).collect()
}

pub fn one(name: &str) -> anyhow::Result<Arc<dyn App>> {
    all()
        .into_iter()
        .find(|a| a.manifest().name == name)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "unknown app {name:?}; this build has: {}",
                names().join(", ")
            )
        })
}
