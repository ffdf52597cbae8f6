//! The dynatomic examples live in this folder; this library holds what they share.

use std::fmt;

use dynatomic::Db;

/// The database an example runs on: DynamoDB at `DYNAMODB_ENDPOINT` when it is set (DynamoDB Local, say),
/// otherwise the in-memory backend. Says which on standard output.
pub async fn db_from_env() -> Db {
    match std::env::var("DYNAMODB_ENDPOINT") {
        Ok(endpoint) => {
            println!("backend: DynamoDB at {endpoint}");
            Db::connect(Some(&endpoint)).await
        }
        Err(_) => {
            println!("backend: in memory (set DYNAMODB_ENDPOINT to run on DynamoDB)");
            Db::memory()
        }
    }
}

/// What an example's `main` fails with: any error it meets, as text. Returned from `main`, it is printed and the
/// process exits with status 1.
///
/// `Box<dyn std::error::Error>` would be the usual choice, but `dynatomic::Error<T>` implements neither
/// `Display` nor `std::error::Error` in this runtime (trait resolution overflows on the bounds that thiserror
/// infers for `Error::EntryFailed`, which holds a `Box<Error<T>>`), so `?` could not convert it. This type
/// converts it through `Debug` instead; once `Error<T>: std::error::Error` holds again, the examples can go
/// back to `Box<dyn std::error::Error + Send + Sync>`.
pub struct Failure(String);

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<T: fmt::Debug> From<dynatomic::Error<T>> for Failure {
    fn from(error: dynatomic::Error<T>) -> Self {
        Failure(format!("{error:?}"))
    }
}

/// Converts errors that implement `Display` (those of dynatomic that do, and messages).
macro_rules! from_display {
    ($($error:ty),* $(,)?) => {$(
        impl From<$error> for Failure {
            fn from(error: $error) -> Self {
                Failure(error.to_string())
            }
        }
    )*};
}
from_display!(dynatomic::TransactionError, dynatomic::TransactionCanceled, dynatomic::DecodeError, String, &str,);
