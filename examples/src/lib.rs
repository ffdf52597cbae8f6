//! The dynatomic examples live in this folder; this library holds what they share.

use dynatomic::Db;

/// The database an example runs on: DynamoDB at `DYNAMODB_ENDPOINT` when it is set (DynamoDB Local, say),
/// otherwise the in-memory backend. Says which on standard output.
pub async fn db_from_env() -> Db {
    match std::env::var("DYNAMODB_ENDPOINT") {
        Ok(endpoint) => {
            println!("backend: DynamoDB at {endpoint}");
            Db::connect_to(&endpoint).await
        }
        Err(_) => {
            println!("backend: in memory (set DYNAMODB_ENDPOINT to run on DynamoDB)");
            Db::memory()
        }
    }
}

/// The README's Rust code blocks, compiled and run as doc tests, so that an example of the README cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;
