//! `GET /about` — what the site is, how ranking works, writing help, privacy.
//! Its formulas and examples go through the summary renderer itself, so the help
//! shows exactly what a summary would.

use std::sync::LazyLock;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use shortscience_render::{NoPapers, render};
use shortscience_store::ranking::{POPULAR_CANDIDATES, POPULAR_HALF_LIFE_SECS};

use super::html;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::view::{Layout, Nav};

pub struct Example {
    pub caption: &'static str,
    pub source: &'static str,
    pub html: Option<String>,
}

const EXAMPLES: [(&str, &str); 7] = [
    (
        "Emphasis and links",
        "Text in *italics*, **bold** or ~~struck out~~, and [a link](https://arxiv.org/abs/1706.03762).",
    ),
    (
        "Inline maths",
        r"The policy $\pi_\theta(a \mid s)$ is trained to maximise $\mathbb{E}[R]$; `\(` … `\)` works too.",
    ),
    (
        "Display maths, on its own line",
        r"$$\nabla_\theta J(\theta) = \mathbb{E}_{\tau \sim \pi_\theta}\left[\sum_{t} \nabla_\theta \log \pi_\theta(a_t \mid s_t)\, G_t\right]$$",
    ),
    (
        "Lists and quotes",
        "- a first point\n- a second point\n\n> A sentence quoted from the paper.",
    ),
    (
        "Tables",
        "| model | params | BLEU |\n|---|---:|---:|\n| base | 65M | 27.3 |\n| big | 213M | 28.4 |",
    ),
    (
        "Citing another paper",
        r"This builds on the Transformer \cite{arXiv:1706.03762}.",
    ),
    (
        "Footnotes",
        "A claim that needs a source.[^1]\n\n[^1]: Section 4 of the paper.",
    ),
];

/// Rendered once. On failure the page shows the LaTeX/Markdown source alone.
fn rendered(source: &str) -> Option<String> {
    render(source, &NoPapers)
        .inspect_err(|e| tracing::warn!(error = %e, "about page example did not render"))
        .ok()
        .map(|r| r.html)
}

struct Rendered {
    wilson: Option<String>,
    popular: Option<String>,
    popular_source: String,
    examples: Vec<Example>,
}

static RENDERED: LazyLock<Rendered> = LazyLock::new(|| Rendered {
    wilson: rendered(WILSON),
    popular: rendered(&popular_formula()),
    popular_source: popular_formula(),
    examples: EXAMPLES
        .iter()
        .map(|&(caption, source)| Example {
            caption,
            source,
            html: rendered(source),
        })
        .collect(),
});

const WILSON: &str = r"$$\text{score} = \frac{\hat p + \frac{z^2}{2n} - z\sqrt{\frac{\hat p\,(1-\hat p)}{n} + \frac{z^2}{4n^2}}}{1 + \frac{z^2}{n}}$$";

fn popular_formula() -> String {
    format!(
        r"$$\text{{popular}} = \text{{score}} \times 0.5^{{\,\text{{age}} / {}\,\text{{days}}}}$$",
        POPULAR_HALF_LIFE_SECS / 86_400
    )
}

#[derive(Template)]
#[template(path = "about.html")]
struct AboutPage<'a> {
    l: Layout,
    wilson: Option<&'a str>,
    popular: Option<&'a str>,
    wilson_source: &'static str,
    popular_source: &'a str,
    half_life_days: i64,
    candidates: u32,
    examples: &'a [Example],
}

pub async fn get_about(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
) -> AppResult<Response> {
    let r = &*RENDERED;
    let l = Layout::new(
        &state.config,
        viewer.as_ref(),
        Some("About"),
        "What this site is, how summaries are ranked, how to write Markdown and LaTeX, and what it does with your data.",
        "/about",
        Nav::About,
    );
    html(&AboutPage {
        l,
        wilson: r.wilson.as_deref(),
        popular: r.popular.as_deref(),
        wilson_source: WILSON,
        popular_source: &r.popular_source,
        half_life_days: POPULAR_HALF_LIFE_SECS / 86_400,
        candidates: POPULAR_CANDIDATES,
        examples: &r.examples,
    })
}
