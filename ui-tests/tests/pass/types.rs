//! Several item types in one file, types named by a path, a table without a sort key, and a nested
//! struct shared by two items.


#[path = "../common/names.rs"]
mod names;
use names::names;

mod models {
    #[derive(dynatomic::Item)]
    pub struct Money {
        pub amount: i64,
        pub currency: String,
    }

    #[derive(dynatomic::Item)]
    #[dynatomic(table = "products")]
    pub struct Product {
        #[dynatomic(partition_key)]
        pub pk: String,
        #[dynatomic(sort_key)]
        pub sk: String,
        pub stock: i64,
        pub price: Money,
    }

    pub mod billing {
        #[derive(dynatomic::Item)]
        pub struct Invoice {
            #[dynatomic(partition_key, rename = "id")]
            pub invoice_id: u64,
            pub total: super::Money,
            pub lines: Vec<self::Line>,
            pub paid: bool,
        }

        #[derive(dynatomic::Item)]
        pub struct Line {
            pub sku: String,
            pub children: Vec<Self>,
        }
    }
}

#[derive(dynatomic::Item)]
struct Counter {
    #[dynatomic(partition_key)]
    name: String,
    value: i64,
}

fn main() {
    let op = dynatomic::update!(models::Product: stock -= 1, price.amount = 100; where stock > 0);
    assert_eq!(op.update_expression(), "SET #n0 = if_not_exists(#n0, :zero) - :v0, #n1.#n2 = :v1");
    assert_eq!(op.condition_expression(), Some("#n0 > :v2"));
    assert_eq!(op.names(), names([("#n0", "stock"), ("#n1", "price"), ("#n2", "amount")]));

    let op = dynatomic::update!(crate::models::billing::Invoice: paid = true; where total.currency == "EUR" && invoice_id == 7);
    assert_eq!(op.update_expression(), "SET #n0 = :v0");
    assert_eq!(op.condition_expression(), Some("#n1.#n2 = :v1 AND #n3 = :v2"));
    assert_eq!(op.names()["#n3"], "id");

    // Field types written relative to the struct (`super::`, `self::`, `Self`) resolve as in the struct.
    let op = dynatomic::update!(crate::models::billing::Invoice: lines[0].children[1].sku = "x");
    assert_eq!(op.update_expression(), "SET #n0[0].#n1[1].#n2 = :v0");
    assert_eq!(op.names(), names([("#n0", "lines"), ("#n1", "children"), ("#n2", "sku")]));

    use models::billing::Invoice;
    let c = dynatomic::condition!(Invoice: !paid.exists() || paid == false);
    assert_eq!(c.expression(), "attribute_not_exists(#n0) OR #n0 = :v0");

    let op = dynatomic::update!(Counter: value += 1);
    assert_eq!(op.update_expression(), "SET #n0 = if_not_exists(#n0, :zero) + :v0");
    let c = dynatomic::condition!(Counter: !name.exists());
    assert_eq!(c.expression(), "attribute_not_exists(#n0)");

    // The same DSL text on two types checks against each type's own fields.
    let a = dynatomic::condition!(models::Product: stock == 1);
    let b = dynatomic::condition!(Counter: value == 1);
    assert_eq!(a.names()["#n0"], "stock");
    assert_eq!(b.names()["#n0"], "value");
}
