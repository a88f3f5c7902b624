//! The renderer on a 6 KB summary with 20 formulas (`cargo bench -p shortscience-render`).
//! Target: under 200 µs per render.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shortscience_render::{NoPapers, render};

const SUMMARY: &str = include_str!("summary_6k.md");

fn bench_render(c: &mut Criterion) {
    // Guard the input's shape, so the figure keeps meaning what BENCHMARKS.md says.
    let formulas = SUMMARY.matches("$$").count() / 2 + SUMMARY.matches('$').count() / 2
        - SUMMARY.matches("$$").count();
    assert!(
        (5_500..7_000).contains(&SUMMARY.len()),
        "{} bytes",
        SUMMARY.len()
    );
    assert_eq!(formulas, 20, "formulas in the input");
    let mut group = c.benchmark_group("render");
    group.throughput(Throughput::Bytes(SUMMARY.len() as u64));
    group.bench_function("summary_6k_20_formulas", |b| {
        b.iter(|| render(black_box(SUMMARY), &NoPapers).expect("the input renders"))
    });
    group.finish();
}

criterion_group!(benches, bench_render);
criterion_main!(benches);
