//! Every future dynatomic returns can be spawned on a multi-threaded runtime: it is `Send`. A compile-time
//! check: this test crate does not build if one of them is not.

use std::future::IntoFuture;

use dynatomic::returning::{AllNew, AllOld, UpdatedNew, UpdatedOld};
use dynatomic::{Db, Item, Table, condition, update, upsert};

#[derive(Item, Debug, Clone)]
struct Doc {
    #[dynatomic(partition_key)]
    id: String,
    words: u64,
    #[dynatomic(version)]
    version: u64,
}

fn send<F: Future + Send>(future: F) -> F {
    future
}

/// The future a write builder runs when it is awaited.
fn send_write<W: IntoFuture<IntoFuture: Send>>(write: W) -> W::IntoFuture {
    send(write.into_future())
}

/// Compiles only if every future below is `Send`; it is never run.
#[allow(dead_code, unused_must_use)]
fn futures_are_send(db: Db, docs: Table<Doc>, doc: Doc) {
    send(docs.create_table());
    send(docs.get(Doc::key("a")));
    send_write(docs.put(&doc));
    send_write(docs.put(&doc).when(condition!(Doc: words > 1)));
    send_write(docs.create(&doc));
    send_write(docs.delete(Doc::key("a").at_version(1)));
    send_write(docs.delete(Doc::key("a").at_version(1)).when(condition!(Doc: words > 1)));
    send_write(docs.update(Doc::key("a").any_version(), update!(Doc: words += 1)));
    send_write(docs.update(Doc::key("a").at_version(2), update!(Doc: words += 1)).returning(AllNew));
    send_write(docs.update(Doc::key("a").at_version(2), update!(Doc: words += 1)).returning(AllOld));
    send_write(docs.update(Doc::key("a").at_version(2), update!(Doc: words += 1)).returning(UpdatedNew));
    send_write(docs.update(Doc::key("a").at_version(2), update!(Doc: words += 1)).returning(UpdatedOld));
    send_write(docs.update(Doc::key("a").at_version(2), update!(Doc: words += 1)).ignore_missing());
    send_write(docs.upsert(Doc::key("a").at_version(0), upsert!(Doc: words += 1)).returning(AllNew));
    send(docs.batch_put_checked(std::slice::from_ref(&doc)));
    send(docs.batch_get([Doc::key("a")]));
    send(docs.batch_delete_checked([Doc::key("a").at_version(1)]));
    send(docs.modify(Doc::key("a"), |_| update!(Doc: words = 1)));
    let transaction = db.transaction().update(&docs, Doc::key("a").at_version(1), update!(Doc: words += 1)).upsert(
        &docs,
        Doc::key("b").at_version(0),
        upsert!(Doc: words += 1),
    );
    send(transaction.commit());
    let mut reads = db.read_transaction();
    reads.get(&docs, Doc::key("a"));
    send(reads.send());
    send(db.retry(|| async { docs.get(Doc::key("a")).await }));
}
