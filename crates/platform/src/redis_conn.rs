//! The optional Redis connection, with the key prefix every key and channel carries.

use redis::aio::ConnectionManager;

pub use redis::RedisError;

#[derive(Clone)]
pub struct RedisConn {
    pub client: redis::Client,
    pub manager: ConnectionManager,
    prefix: String,
}

impl std::fmt::Debug for RedisConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisConn")
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl RedisConn {
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, RedisError> {
        let client = redis::Client::open(url)?;
        // The driver's default retries a lost connection six times with
        // back-off (about 9 s) inside each command, and writes publish their
        // events inline: with Redis away every write would take 9 s. One quick
        // retry makes a command fail within a fraction of a second instead;
        // every caller degrades on a failure, and the next command reconnects.
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_number_of_retries(1)
            .set_min_delay(std::time::Duration::from_millis(50))
            .set_max_delay(std::time::Duration::from_millis(250));
        let manager = client.get_connection_manager_with_config(config).await?;
        Ok(Self {
            client,
            manager,
            prefix: prefix.to_owned(),
        })
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `prefix` + `key`.
    pub fn key(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }

    pub fn conn(&self) -> ConnectionManager {
        self.manager.clone()
    }

    pub async fn ping(&self) -> Result<(), RedisError> {
        let mut conn = self.conn();
        redis::cmd("PING").query_async::<String>(&mut conn).await?;
        Ok(())
    }
}
