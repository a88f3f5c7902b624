//! Renders the benchmark summary N times (default 200), for callgrind:
//! `valgrind --tool=callgrind target/release/examples/render_loop 200`.

use shortscience_render::{NoPapers, render};

const SUMMARY: &str = include_str!("../benches/summary_6k.md");

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let mut bytes = 0;
    for _ in 0..n {
        bytes += render(SUMMARY, &NoPapers).expect("renders").html.len();
    }
    println!("{} bytes of HTML per render", bytes / n.max(1));
}
