//! The connection a table handle uses.

use std::borrow::Cow;

use crate::schema::Item;
use crate::table::Table;

/// Where the tables live. Cheap to clone; every [`Table`] made from it shares its connection.
///
/// ```no_run
/// # async fn demo() {
/// // DynamoDB with the default AWS configuration, or DynamoDB Local at `DYNAMODB_ENDPOINT`:
/// let db = dynatomic::Db::connect(std::env::var("DYNAMODB_ENDPOINT").ok().as_deref()).await;
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Db {
    pub(crate) backend: Backend,
}

#[derive(Clone, Debug)]
pub(crate) enum Backend {
    DynamoDb(aws_sdk_dynamodb::Client),
}

impl Db {
    /// Uses an aws-sdk-dynamodb client as it is configured.
    pub fn from_client(client: aws_sdk_dynamodb::Client) -> Self {
        Db { backend: Backend::DynamoDb(client) }
    }

    /// Connects with the default AWS configuration (environment, profile, instance role); with `endpoint`,
    /// to that URL instead, such as DynamoDB Local's `http://127.0.0.1:8000`.
    pub async fn connect(endpoint: Option<&str>) -> Self {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
        if let Some(endpoint) = endpoint {
            loader = loader.endpoint_url(endpoint);
        }
        Db::from_client(aws_sdk_dynamodb::Client::new(&loader.load().await))
    }

    /// The aws-sdk-dynamodb client behind this handle, for what dynatomic does not cover.
    pub fn client(&self) -> &aws_sdk_dynamodb::Client {
        match &self.backend {
            Backend::DynamoDb(client) => client,
        }
    }

    /// The table of `T`, named by `#[dynatomic(table = "...")]`.
    pub fn table<T: Item>(&self) -> Table<T> {
        Table::new(self.clone(), Cow::Borrowed(T::TABLE))
    }

    /// The table of `T` under another name (per environment, per test).
    pub fn table_named<T: Item>(&self, name: impl Into<String>) -> Table<T> {
        Table::new(self.clone(), Cow::Owned(name.into()))
    }
}
