//! Two variants stored as the same string.

#[derive(dynatomic::Value)]
#[dynatomic(rename_all = "lowercase")]
enum Status {
    Pending,
    #[dynatomic(rename = "pending")]
    Waiting,
    PaymentDue,
    Paymentdue,
}

fn main() {}
