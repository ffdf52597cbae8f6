//! Four everyday problems that a conditional write solves without locks or races:
//!
//! 1. unique email registration: the user and a claim on the email are created in one transaction, so two
//!    users never share an email, even when they sign up at the same moment;
//! 2. a status workflow: an order moves pending -> paid -> shipped only from the state each step expects;
//! 3. idempotent event logging: an event delivered twice is stored once;
//! 4. optimistic document editing: two editors load the same version; the second save is refused with a
//!    version conflict instead of overwriting the first, and is merged onto the latest version.
//!
//! `cargo run --example conditional_patterns` runs it on the embedded in-memory backend; with
//! `DYNAMODB_ENDPOINT` set it runs against that DynamoDB
//! (`scripts/with-dynamodb-local.sh cargo run --example conditional_patterns`).
//! It exits with an error when an outcome is not the expected one.

use std::time::SystemTime;

use dynatomic::{Db, Error, Item, Reason, Table, TransactionError, Value, update};
use rust_decimal::Decimal;
/// What the example fails with: any error, printed, and the process exits with status 1.
type Failure = Box<dyn std::error::Error>;

#[derive(Item, Debug, Clone, PartialEq)]
#[dynatomic(table = "conditional_patterns_users")]
struct User {
    #[dynatomic(partition_key)]
    id: String,
    name: String,
    email: String,
}

/// Who holds an email address: one item per address, keyed by it, so that it can be taken only once.
#[derive(Item, Debug, Clone, PartialEq)]
#[dynatomic(table = "conditional_patterns_emails")]
struct EmailClaim {
    #[dynatomic(partition_key)]
    email: String,
    user_id: String,
}

/// The states of an order, stored as "pending", "paid" and "shipped".
#[derive(Value, Debug, Clone, Copy, PartialEq)]
#[dynatomic(rename_all = "lowercase")]
enum Status {
    Pending,
    Paid,
    Shipped,
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynatomic(table = "conditional_patterns_orders")]
struct Order {
    #[dynatomic(partition_key)]
    id: String,
    status: Status,
    /// Every status the order has been in, in order.
    history: Vec<Status>,
    /// When the order last changed state.
    changed_at: SystemTime,
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynatomic(table = "conditional_patterns_events")]
struct Event {
    #[dynatomic(partition_key)]
    id: String,
    kind: String,
    amount: Decimal,
    /// Which delivery of the event this copy came from.
    delivery: u32,
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynatomic(table = "conditional_patterns_articles")]
struct Article {
    #[dynatomic(partition_key)]
    id: String,
    body: String,
    #[dynatomic(version)]
    version: u64,
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let db = dynatomic_examples::db_from_env().await;
    unique_email(&db).await?;
    status_workflow(&db).await?;
    idempotent_events(&db).await?;
    optimistic_edit(&db).await?;
    println!("\nall outcomes as expected");
    Ok(())
}

// 1. Unique email registration ------------------------------------------------------------------------------

/// How a registration ended.
#[derive(Debug, PartialEq)]
enum Registration {
    Registered,
    /// The email belongs to this user already.
    EmailTaken {
        owner: String,
    },
    /// A user with this id exists.
    IdTaken,
}

async fn unique_email(db: &Db) -> Result<(), Failure> {
    println!("\n1. unique email registration");
    let users = db.table::<User>();
    let emails = db.table::<EmailClaim>();
    users.create_table().await?;
    emails.create_table().await?;
    // A fresh start, also when the tables are left from an earlier run.
    for id in ["u-1", "u-2"] {
        users.delete(User::key(id)).await?;
    }
    emails.delete(EmailClaim::key("ada@example.com")).await?;

    let ada = User { id: "u-1".into(), name: "Ada".into(), email: "ada@example.com".into() };
    let outcome = register(db, &users, &emails, &ada).await?;
    expect(outcome == Registration::Registered, "Ada should be registered")?;
    expect(users.get(User::key("u-1")).await? == Some(ada.clone()), "Ada's user item should exist")?;

    // Another person signs up with the same address (typed in other case).
    let impostor = User { id: "u-2".into(), name: "Someone else".into(), email: "Ada@Example.com".into() };
    let outcome = register(db, &users, &emails, &impostor).await?;
    expect(outcome == Registration::EmailTaken { owner: "u-1".into() }, "the second sign-up should be refused")?;
    expect(users.get(User::key("u-2")).await?.is_none(), "no user u-2 should have been created")?;
    let claim = emails.get(EmailClaim::key("ada@example.com")).await?;
    expect(claim.map(|c| c.user_id).as_deref() == Some("u-1"), "the email should still belong to u-1")?;

    // The same id again, with a new email: refused, and the new email is not claimed either.
    let twin = User { id: "u-1".into(), name: "Ada again".into(), email: "ada2@example.com".into() };
    let outcome = register(db, &users, &emails, &twin).await?;
    expect(outcome == Registration::IdTaken, "a second u-1 should be refused")?;
    expect(emails.get(EmailClaim::key("ada2@example.com")).await?.is_none(), "ada2@ should not be claimed")?;
    expect(users.get(User::key("u-1")).await? == Some(ada), "u-1 should be unchanged")?;
    Ok(())
}

/// Creates the user and the claim on its email together: neither is written unless both keys are free.
async fn register(
    db: &Db,
    users: &Table<User>,
    emails: &Table<EmailClaim>,
    user: &User,
) -> Result<Registration, Failure> {
    let claim = EmailClaim { email: user.email.to_lowercase(), user_id: user.id.clone() };
    print!("   register {} <{}> as {}: ", user.name, user.email, user.id);
    let result = db.transaction().create(users, user).create(emails, &claim).commit().await;
    let outcome = match result {
        Ok(()) => Registration::Registered,
        Err(TransactionError::Canceled(canceled)) => {
            let [user_action, claim_action] = &canceled.actions[..] else {
                return Err(format!("a canceled registration should list 2 actions: {canceled}").into());
            };
            if claim_action.reason == Reason::ConditionFailed {
                let owner = claim_action.stored_item::<EmailClaim>().map(|c| c.user_id.clone()).unwrap_or_default();
                Registration::EmailTaken { owner }
            } else if user_action.reason == Reason::ConditionFailed {
                Registration::IdTaken
            } else {
                return Err(canceled.into());
            }
        }
        Err(other) => return Err(other.into()),
    };
    match &outcome {
        Registration::Registered => println!("registered"),
        Registration::EmailTaken { owner } => {
            println!("refused: {} is already taken (by {owner}); nothing was created", claim.email)
        }
        Registration::IdTaken => println!("refused: the id {} is taken; nothing was created", user.id),
    }
    Ok(outcome)
}

// 2. Status workflow ------------------------------------------------------------------------------------------

/// The steps of the workflow: name, the state it starts from, the state it leads to.
const PAY: (&str, Status, Status) = ("pay", Status::Pending, Status::Paid);
const SHIP: (&str, Status, Status) = ("ship", Status::Paid, Status::Shipped);

/// Takes a step of the workflow, only if the order is in the state the step starts from. When it is not,
/// returns the state it was in (`None`: no such order, which `update` does not create).
async fn advance(
    orders: &Table<Order>,
    id: &str,
    (step, from, to): (&str, Status, Status),
) -> Result<Result<(), Option<Status>>, Failure> {
    print!("   {step} {id} ({from:?} -> {to:?}): ");
    let now = SystemTime::now();
    // `status == "pendng"` would not compile: the field is a `Status`.
    let op = update!(Order: status = to, history.append([to]), changed_at = now; where status == from);
    match orders.update(Order::key(id), op).await {
        Ok(()) => {
            println!("done");
            Ok(Ok(()))
        }
        Err(Error::ConditionFailed { stored, .. }) => {
            let order = stored.ok_or("a failed condition on an existing order hands it back")?;
            let status = order.into_item()?.status;
            println!("refused: the order is {status:?}; {step} needs a {from:?} order");
            Ok(Err(Some(status)))
        }
        Err(Error::NotFound { .. }) => {
            println!("refused: there is no such order");
            Ok(Err(None))
        }
        Err(other) => Err(other.into()),
    }
}

async fn status_workflow(db: &Db) -> Result<(), Failure> {
    println!("\n2. status workflow");
    let orders = db.table::<Order>();
    orders.create_table().await?;
    orders.delete(Order::key("order-9")).await?;
    let placed_at = SystemTime::now();
    let order =
        Order { id: "order-7".into(), status: Status::Pending, history: vec![Status::Pending], changed_at: placed_at };
    orders.put(&order).await?;

    let refused = advance(&orders, "order-7", SHIP).await?;
    expect(refused == Err(Some(Status::Pending)), "an unpaid order should not ship")?;
    expect(advance(&orders, "order-7", PAY).await?.is_ok(), "pending -> paid")?;
    expect(advance(&orders, "order-7", SHIP).await?.is_ok(), "paid -> shipped")?;
    let refused = advance(&orders, "order-7", PAY).await?;
    expect(refused == Err(Some(Status::Shipped)), "a shipped order should not be paid again")?;
    let refused = advance(&orders, "order-9", PAY).await?;
    expect(refused == Err(None), "a missing order should not be paid")?;

    let order = orders.get(Order::key("order-7")).await?.ok_or("order-7 is missing")?;
    println!("   order-7 is {:?}; history: {:?}", order.status, order.history);
    expect(order.status == Status::Shipped, "order-7 should be shipped")?;
    expect(order.history == [Status::Pending, Status::Paid, Status::Shipped], "order-7 went through each state once")?;
    let shipped_by = SystemTime::now();
    expect(placed_at < order.changed_at && order.changed_at <= shipped_by, "order-7 records when it was shipped")?;
    expect(orders.get(Order::key("order-9")).await?.is_none(), "no order-9 should have been created")?;
    Ok(())
}

// 3. Idempotent event logging -------------------------------------------------------------------------------

/// Stores the event unless one with its id is stored; returns the stored copy when there was one.
async fn log_event(events: &Table<Event>, event: &Event) -> Result<Option<Event>, Failure> {
    print!("   event {} ({} {}, delivery {}): ", event.id, event.kind, event.amount, event.delivery);
    match events.create(event).await {
        Ok(()) => {
            println!("logged");
            Ok(None)
        }
        Err(Error::ConditionFailed { stored: Some(stored), .. }) => {
            let stored = stored.into_item()?;
            println!("already logged (from delivery {}); ignored", stored.delivery);
            Ok(Some(stored))
        }
        Err(other) => Err(other.into()),
    }
}

async fn idempotent_events(db: &Db) -> Result<(), Failure> {
    println!("\n3. idempotent event logging");
    let events = db.table::<Event>();
    events.create_table().await?;
    for id in ["evt-1", "evt-2"] {
        events.delete(Event::key(id)).await?;
    }
    let event = |id: &str, amount, delivery| Event { id: id.into(), kind: "deposit".into(), amount, delivery };
    let (first, second) = (Decimal::new(5010, 2), Decimal::new(1995, 2)); // 50.10 and 19.95

    expect(log_event(&events, &event("evt-1", first, 1)).await?.is_none(), "evt-1 is new")?;
    expect(log_event(&events, &event("evt-2", second, 1)).await?.is_none(), "evt-2 is new")?;
    // The sender did not get the acknowledgement and delivers evt-1 again.
    let again = log_event(&events, &event("evt-1", first, 2)).await?;
    expect(again == Some(event("evt-1", first, 1)), "the second evt-1 should find the first")?;

    let mut total = Decimal::ZERO;
    for id in ["evt-1", "evt-2"] {
        let stored = events.get(Event::key(id)).await?.ok_or_else(|| format!("{id} is missing"))?;
        expect(stored.delivery == 1, "each event is stored as first delivered")?;
        total += stored.amount;
    }
    println!("   stored: 2 events, total {total}");
    expect(total == Decimal::new(7005, 2), "the deposits should total exactly 70.05, evt-1 counted once")?;
    Ok(())
}

// 4. Optimistic document editing ----------------------------------------------------------------------------

async fn optimistic_edit(db: &Db) -> Result<(), Failure> {
    println!("\n4. optimistic document editing");
    let articles = db.table::<Article>();
    articles.create_table().await?;
    articles.delete(Article::key("doc-1").any_version()).await?;
    let draft = Article { id: "doc-1".into(), body: "Teh quick brown fox.".into(), version: 0 };
    articles.create(&draft).await?;

    // Both editors open the document at version 1.
    let mut alice = articles.get(Article::key("doc-1")).await?.ok_or("doc-1 is missing")?;
    let mut bob = alice.clone();
    println!("   alice and bob open version {}: {:?}", alice.version, alice.body);

    // Alice fixes the typo and saves first.
    alice.body = alice.body.replace("Teh", "The");
    let saved = articles.put(&alice).await?;
    println!("   alice saves {:?}: now version {saved}", alice.body);
    expect(saved == 2, "alice's save should store version 2")?;

    // Bob adds a sentence to his copy, which is now stale: the save is refused, nothing is overwritten.
    let addition = " It jumps over the lazy dog.";
    bob.body.push_str(addition);
    match articles.put(&bob).await {
        Err(Error::VersionConflict { expected, stored, item }) => {
            println!(
                "   bob saves {:?}: refused, he edited version {expected}, the stored one is version {}",
                bob.body,
                stored.map_or("(none)".into(), |v| v.to_string())
            );
            expect(expected == 1 && stored == Some(2), "bob's save should conflict: expected 1, stored 2")?;
            let latest = item.ok_or("the conflict should hand back the stored article")?.into_item()?;
            expect(latest.body == "The quick brown fox.", "the stored article should be alice's")?;
        }
        Ok(_) => return Err("bob's stale save went through and overwrote alice's".into()),
        Err(other) => return Err(other.into()),
    }

    // Bob re-applies his change to the latest version; `modify` reads, applies and retries on conflict.
    let merged = articles
        .modify(Article::key("doc-1"), |latest| {
            let body = format!("{}{addition}", latest.body);
            update!(Article: body = body)
        })
        .await?;
    println!(
        "   bob merges his sentence onto version 2: version {} {:?} ({} conflicts retried)",
        merged.value.version, merged.value.body, merged.conflicts
    );

    let stored = articles.get(Article::key("doc-1")).await?.ok_or("doc-1 is missing")?;
    expect(stored == merged.value, "the stored article should be the merged one")?;
    expect(stored.body == "The quick brown fox. It jumps over the lazy dog.", "both edits should be kept")?;
    expect(stored.version == 3, "two saves after creation: version 3")?;
    Ok(())
}

fn expect(ok: bool, what: &str) -> Result<(), Failure> {
    if ok { Ok(()) } else { Err(format!("unexpected outcome: {what}").into()) }
}
