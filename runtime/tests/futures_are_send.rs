//! Every future dynatomic returns can be spawned on a multi-threaded runtime: it is `Send`. A compile-time
//! check: this test crate does not build if one of them is not.

use dynatomic::{Db, Item, Table, condition, update};

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

/// Compiles only if every future below is `Send`; it is never run.
#[allow(dead_code, unused_must_use)]
fn futures_are_send(db: Db, docs: Table<Doc>, doc: Doc) {
    send(docs.create_table());
    send(docs.get(Doc::key("a")));
    send(docs.put(&doc));
    send(docs.put_if(&doc, condition!(Doc: words > 1)));
    send(docs.create(&doc));
    send(docs.delete(Doc::key("a").at_version(1)));
    send(docs.update(Doc::key("a").any_version(), update!(Doc: words += 1)));
    send(docs.update_return_new(Doc::key("a").at_version(2), update!(Doc: words += 1)));
    send(docs.batch_put(std::slice::from_ref(&doc)));
    send(docs.batch_get([Doc::key("a")]));
    send(docs.batch_delete([Doc::key("a")]));
    send(docs.modify(Doc::key("a"), |_| update!(Doc: words = 1)));
    let transaction = db.transaction().update(&docs, Doc::key("a").at_version(1), update!(Doc: words += 1));
    send(transaction.commit());
    let mut reads = db.read_transaction();
    reads.get(&docs, Doc::key("a"));
    send(reads.send());
    send(db.retry(|| async { docs.get(Doc::key("a")).await }));
}
