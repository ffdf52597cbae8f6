//! Building one UpdateItem request: dynatomic's `update!` against the same request written by hand with the
//! aws-sdk-dynamodb builder. Nothing is sent.
//!
//! Run with `cargo bench -p dynatomic --bench request`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use dynatomic::aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use dynatomic::aws_sdk_dynamodb::{Client, Config};
use dynatomic::{AttributeValue, Db, update};

#[derive(dynatomic::Item)]
#[dynatomic(table = "products")]
struct Product {
    #[dynatomic(partition_key)]
    pk: String,
    stock: i64,
    reserved: i64,
}

fn offline_client() -> Client {
    let config = Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("bench", "bench", None, None, "bench"))
        .build();
    Client::from_conf(config)
}

fn build_request(c: &mut Criterion) {
    let client = offline_client();
    let products = Db::from_client(client.clone()).table::<Product>();
    let mut group = c.benchmark_group("update request: stock -= qty, reserved += qty; where stock >= qty");
    group.bench_function("dynatomic update!", |b| {
        b.iter(|| {
            let qty = black_box(3_i64);
            let op = update!(Product: stock -= qty, reserved += qty; where stock >= qty);
            products.update_request(Product::key(black_box("sku-1")), op).map(black_box).is_ok()
        })
    });
    group.bench_function("hand-written aws-sdk-dynamodb builder", |b| {
        b.iter(|| {
            let qty = black_box(3_i64);
            let request = client
                .update_item()
                .table_name("products")
                .key("pk", AttributeValue::S(black_box("sku-1").to_owned()))
                .update_expression(
                    "SET #stock = if_not_exists(#stock, :zero) - :qty, #reserved = if_not_exists(#reserved, :zero) + :qty",
                )
                .condition_expression("#stock >= :qty")
                .expression_attribute_names("#stock", "stock")
                .expression_attribute_names("#reserved", "reserved")
                .expression_attribute_values(":qty", AttributeValue::N(qty.to_string()))
                .expression_attribute_values(":zero", AttributeValue::N("0".to_owned()));
            black_box(request)
        })
    });
    group.finish();
}

criterion_group!(benches, build_request);
criterion_main!(benches);
