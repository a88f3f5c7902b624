//! `gen-site` (hidden): fills a database with a synthetic but realistic site for the
//! page benchmarks in bench/: papers, summaries of about 2 KB with maths, users,
//! votes and comments, all through the store API.
//!
//! Shortcut: rendering 100,000 summaries one by one would take minutes, so a handful
//! of Markdown templates are rendered once through the real renderer and each summary
//! then varies its template by swapping a marker for a plain-word sentence in both the
//! Markdown and the HTML. The stored HTML is still real renderer output (MathML and
//! all); only the marker sentence differs between summaries of one template.
//!
//! Fixed shapes the benchmark pages need: the first paper has six summaries (by six
//! different users) and the user `bench30` has thirty. Every run with the same seed
//! and sizes produces the same content.

use std::collections::HashSet;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use clap::Args;
use shortscience::settings::Overrides;
use shortscience_ids::{PaperId, PaperRef, SummaryId, UserId};
use shortscience_render::RENDERER_VERSION;
use shortscience_store::{CommentWrite, NewPaper, Store, SummaryImport};
use shortscience_web::publish;

use super::open_store;
use crate::StoreArgs;

#[derive(Debug, Clone, Args)]
pub struct GenSiteArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Papers in the catalog
    #[arg(long, value_name = "N")]
    pub papers: Option<u64>,
    /// Public summaries of about 2 KB with maths
    #[arg(long, value_name = "N")]
    pub summaries: Option<u64>,
    /// Users who write, vote and comment
    #[arg(long, value_name = "N")]
    pub users: Option<u64>,
    #[arg(long, value_name = "N")]
    pub votes: Option<u64>,
    #[arg(long, value_name = "N")]
    pub comments: Option<u64>,
    /// Large preset: 1,000,000 papers and 100,000 summaries (explicit sizes win)
    #[arg(long)]
    pub large: bool,
    /// The same seed and sizes give the same site
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write this many signed-in session cookies (one token a line, users reader1…)
    /// to --sessions-file, for load runs that write
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        requires = "sessions_file"
    )]
    pub sessions: u64,
    #[arg(long, value_name = "FILE")]
    pub sessions_file: Option<std::path::PathBuf>,
}

/// The sizes a run generates, after presets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub papers: u64,
    pub summaries: u64,
    pub users: u64,
    pub votes: u64,
    pub comments: u64,
}

impl GenSiteArgs {
    pub fn sizes(&self) -> Sizes {
        let (papers, summaries) = if self.large {
            (1_000_000, 100_000)
        } else {
            (10_000, 2_000)
        };
        Sizes {
            papers: self.papers.unwrap_or(papers),
            summaries: self.summaries.unwrap_or(summaries),
            users: self.users.unwrap_or(200),
            votes: self.votes.unwrap_or(10_000),
            comments: self.comments.unwrap_or(1_000),
        }
    }
}

/// Summaries the fixed pages need: six on the first paper, thirty by `bench30`.
const SIX: u64 = 6;
const THIRTY: u64 = 30;

/// SplitMix64: small and repeatable; quality is ample for synthetic text.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x6A09_E667_F3BC_C908)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// Skewed towards small values (squared uniform), like attention on a site.
    fn skewed(&mut self, n: u64) -> u64 {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((u * u) * n as f64) as u64 % n.max(1)
    }
}

const WORDS: &[&str] = &[
    "learning",
    "network",
    "gradient",
    "sparse",
    "attention",
    "graph",
    "kernel",
    "bayesian",
    "inference",
    "robust",
    "optimal",
    "stochastic",
    "convex",
    "deep",
    "latent",
    "variational",
    "model",
    "training",
    "policy",
    "reward",
    "transformer",
    "embedding",
    "contrastive",
    "causal",
    "estimation",
    "sampling",
    "diffusion",
    "energy",
    "adversarial",
    "representation",
    "memory",
    "retrieval",
    "language",
    "vision",
    "spectral",
    "low-rank",
    "quantised",
    "federated",
    "private",
    "scalable",
    "efficient",
    "theory",
    "bounds",
    "generalisation",
    "regularisation",
    "manifold",
    "flows",
    "recurrent",
    "convolutional",
    "self-supervised",
];

fn words(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| WORDS[rng.below(WORDS.len() as u64) as usize])
        .collect::<Vec<_>>()
        .join(" ")
}

fn title(rng: &mut Rng) -> String {
    let n = 4 + rng.below(6) as usize;
    let t = words(rng, n);
    let mut c = t.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => t,
    }
}

/// The synthetic arXiv reference of paper `i`: (YYMM month, 1-based number), unique
/// for i below 132 × 99,999.
fn arxiv_ref(i: u64) -> anyhow::Result<(PaperRef, i32)> {
    let month = i % 132;
    let (yy, mm) = (15 + month / 12, month % 12 + 1);
    let id = format!("{yy:02}{mm:02}.{:05}", (i / 132) % 99_999 + 1);
    let r = PaperRef::parse(&format!("arXiv:{id}")).with_context(|| format!("arXiv:{id}"))?;
    Ok((r, 2000 + yy as i32))
}

/// The paper with index `i`.
fn paper(rng: &mut Rng, i: u64) -> anyhow::Result<NewPaper> {
    let (r, year) = arxiv_ref(i)?;
    let abstract_words = 60 + rng.below(60) as usize;
    let authors = (0..1 + rng.below(5))
        .map(|_| format!("{} {}", capital(words(rng, 1)), capital(words(rng, 1))))
        .collect();
    Ok(NewPaper {
        refs: vec![r],
        title: title(rng),
        authors,
        year: Some(year),
        venue: Some("CoRR".into()),
        abstract_text: Some(format!("{}.", words(rng, abstract_words))),
    })
}

fn capital(w: String) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => w,
    }
}

/// The marker each summary replaces with its own sentence (plain words: no escaping).
const MARKER: &str = "QQVARIANTQQ";

/// Displayed and inline formulas, six per template, drawn from these.
const FORMULAS: &[&str] = &[
    "$$\\mathcal{L}(\\theta) = -\\sum_{i=1}^{n} \\log p_\\theta(y_i \\mid x_i)$$",
    "$\\nabla_\\theta J = \\mathbb{E}_{\\pi}\\left[\\nabla_\\theta \\log \\pi(a \\mid s) A(s,a)\\right]$",
    "$$\\mathrm{Attention}(Q,K,V) = \\mathrm{softmax}\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right)V$$",
    "$\\|W\\|_* \\le \\lambda$",
    "$$\\log p(x) \\ge \\mathbb{E}_{q(z \\mid x)}[\\log p(x \\mid z)] - \\mathrm{KL}(q(z \\mid x) \\,\\|\\, p(z))$$",
    "$x_{t+1} = x_t - \\eta \\nabla f(x_t)$",
    "$O(n \\log n)$",
    "$$\\hat{\\beta} = (X^\\top X + \\lambda I)^{-1} X^\\top y$$",
    "$\\sigma(z) = \\frac{1}{1 + e^{-z}}$",
    "$$R_n(\\mathcal{F}) \\le \\sqrt{\\frac{2 \\log |\\mathcal{F}|}{n}}$$",
];

/// A summary template of about 2 KB: headings, paragraphs, a list, six formulas, and
/// the marker sentence.
fn template(rng: &mut Rng) -> String {
    let mut md = String::new();
    md.push_str(&format!("{}. {MARKER}.\n\n", capital(words(rng, 20))));
    for section in 0..3 {
        md.push_str(&format!("## {}\n\n", capital(words(rng, 3))));
        for _ in 0..2 {
            let f = FORMULAS[rng.below(FORMULAS.len() as u64) as usize];
            md.push_str(&format!(
                "{} {f} {}.\n\n",
                capital(words(rng, 12)),
                words(rng, 8)
            ));
        }
        if section == 1 {
            for _ in 0..3 {
                md.push_str(&format!("- **{}**: {}\n", words(rng, 2), words(rng, 8)));
            }
            md.push('\n');
        }
    }
    md
}

struct Template {
    markdown: String,
    html: String,
    excerpt: String,
}

/// Renders a few templates through the real path (`publish::render_summary`).
async fn templates(store: &Store, rng: &mut Rng, n: usize) -> anyhow::Result<Vec<Template>> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let markdown = template(rng);
        let r = publish::render_summary(store, &markdown)
            .await
            .map_err(|e| anyhow::anyhow!("a template does not render: {e}"))?;
        anyhow::ensure!(r.html.contains(MARKER), "the renderer changed the marker");
        out.push(Template {
            markdown,
            html: r.html,
            excerpt: r.excerpt,
        });
    }
    Ok(out)
}

/// Where summary `k` goes: (paper index, user index). The first six are on paper 0 by
/// users 1..=6; the next thirty are by user 0 (`bench30`) on papers 1..=30; the rest are
/// by users other than 0, on papers drawn with a skew, never twice on one pair.
fn placements(rng: &mut Rng, s: Sizes) -> anyhow::Result<Vec<(u64, u64)>> {
    anyhow::ensure!(s.users > SIX, "need more than {SIX} users");
    anyhow::ensure!(s.papers > THIRTY, "need more than {THIRTY} papers");
    anyhow::ensure!(
        s.summaries >= SIX + THIRTY,
        "need at least {} summaries",
        SIX + THIRTY
    );
    anyhow::ensure!(
        s.summaries <= (s.papers - 1) * (s.users - 1),
        "too many summaries for so few papers and users"
    );
    let mut seen: HashSet<(u64, u64)> = HashSet::new();
    let mut out = Vec::with_capacity(s.summaries as usize);
    for u in 1..=SIX {
        out.push((0, u));
    }
    for p in 1..=THIRTY {
        out.push((p, 0));
    }
    seen.extend(out.iter().copied());
    while (out.len() as u64) < s.summaries {
        // Not paper 0, so it keeps exactly six.
        let p = 1 + rng.skewed(s.papers - 1);
        let u = 1 + rng.skewed(s.users - 1);
        if seen.insert((p, u)) {
            out.push((p, u));
        }
    }
    Ok(out)
}

fn username(u: u64) -> String {
    if u == 0 {
        "bench30".into()
    } else {
        format!("reader{u}")
    }
}

pub async fn run(args: GenSiteArgs) -> anyhow::Result<ExitCode> {
    let sizes = args.sizes();
    let (_, store) = open_store(&args.store, Overrides::default()).await?;
    let mut rng = Rng::new(args.seed);
    let started = Instant::now();

    let t = Instant::now();
    let mut batch = Vec::with_capacity(2_000);
    let mut rejected = 0;
    for i in 0..sizes.papers {
        batch.push(paper(&mut rng, i)?);
        if batch.len() == 2_000 || i + 1 == sizes.papers {
            let outcome = store.import_papers(&batch).await?;
            rejected += outcome.rejected.len();
            batch.clear();
        }
    }
    anyhow::ensure!(rejected == 0, "{rejected} synthetic papers were rejected");
    eprintln!(
        "papers: {} in {:.1} s",
        sizes.papers,
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let mut users: Vec<UserId> = Vec::with_capacity(sizes.users as usize);
    for u in 0..sizes.users {
        users.push(store.ensure_user(&username(u)).await?);
    }
    eprintln!(
        "users: {} in {:.1} s",
        sizes.users,
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let tpl = templates(&store, &mut rng, 8).await?;
    let mut summaries: Vec<(SummaryId, UserId)> = Vec::with_capacity(sizes.summaries as usize);
    let mut six_paper: Option<PaperId> = None;
    let now = 1_750_000_000i64;
    for (k, (p, u)) in placements(&mut rng, sizes)?.into_iter().enumerate() {
        let t = &tpl[rng.below(tpl.len() as u64) as usize];
        let sentence = format!("Summary {k} {}", words(&mut rng, 8));
        let import = SummaryImport {
            paper: NewPaper {
                refs: vec![arxiv_ref(p)?.0],
                ..NewPaper::default()
            },
            author_username: username(u),
            markdown: t.markdown.replace(MARKER, &sentence),
            html: t.html.replace(MARKER, &sentence),
            excerpt: t.excerpt.replace(MARKER, &sentence),
            paper_refs: Vec::new(),
            renderer_version: RENDERER_VERSION,
            private: false,
            anonymous: false,
            created_at: Some(now - (k as i64) * 3_600),
            edited_at: None,
        };
        let (paper_id, summary, _) = store.import_summary(&import).await?;
        if p == 0 {
            six_paper = Some(paper_id);
        }
        summaries.push((summary, users[u as usize]));
    }
    eprintln!(
        "summaries: {} in {:.1} s (8 templates rendered)",
        sizes.summaries,
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let mut done = 0;
    let mut voted: HashSet<(usize, usize)> = HashSet::new();
    let possible = summaries.len() as u64 * (sizes.users - 1);
    anyhow::ensure!(
        sizes.votes <= possible,
        "too many votes for so few users and summaries"
    );
    while done < sizes.votes {
        let s = rng.skewed(summaries.len() as u64) as usize;
        let u = rng.below(sizes.users) as usize;
        let (summary, author) = summaries[s];
        if users[u] == author || !voted.insert((s, u)) {
            continue;
        }
        let value = if rng.below(10) == 0 { -1 } else { 1 };
        store.set_vote(users[u], summary, value).await?;
        done += 1;
    }
    eprintln!(
        "votes: {} in {:.1} s",
        sizes.votes,
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let comment_md =
        "Nice summary; does the bound $O(n \\log n)$ hold **without** the convexity assumption?";
    let comment_html = publish::render_summary(&store, comment_md)
        .await
        .map_err(|e| anyhow::anyhow!("the comment does not render: {e}"))?
        .html;
    for _ in 0..sizes.comments {
        let s = rng.skewed(summaries.len() as u64) as usize;
        let u = rng.below(sizes.users) as usize;
        store
            .add_comment(
                &CommentWrite {
                    summary: summaries[s].0,
                    parent: None,
                    author: users[u],
                    markdown: comment_md.into(),
                    html: comment_html.clone(),
                    renderer_version: RENDERER_VERSION,
                },
                None,
            )
            .await?;
    }
    eprintln!(
        "comments: {} in {:.1} s",
        sizes.comments,
        t.elapsed().as_secs_f64()
    );
    eprintln!("total {:.1} s", started.elapsed().as_secs_f64());

    if let Some(path) = &args.sessions_file {
        anyhow::ensure!(
            args.sessions < sizes.users,
            "--sessions must be below --users"
        );
        let mut out = String::new();
        for u in 1..=args.sessions {
            out.push_str(&store.create_session(users[u as usize]).await?);
            out.push('\n');
        }
        std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))?;
    }

    // For scripts: the pages the benchmark reads; writers (reader1…) vote and comment
    // on bench30's summaries, never their own.
    let six = six_paper.context("the six-summary paper was not created")?;
    println!("six_paper={six}");
    println!("thirty_user={}", username(0));
    let thirty: Vec<String> = summaries[SIX as usize..(SIX + THIRTY) as usize]
        .iter()
        .map(|(s, _)| s.to_string())
        .collect();
    println!("write_summaries={}", thirty.join(","));
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(papers: u64, summaries: u64, users: u64) -> Sizes {
        Sizes {
            papers,
            summaries,
            users,
            votes: 0,
            comments: 0,
        }
    }

    #[test]
    fn placements_give_the_fixed_pages_and_no_duplicates() {
        let mut rng = Rng::new(3);
        let p = placements(&mut rng, sizes(500, 400, 20)).unwrap();
        assert_eq!(p.len(), 400);
        assert_eq!(p.iter().filter(|(paper, _)| *paper == 0).count(), 6);
        assert_eq!(p.iter().filter(|(_, user)| *user == 0).count(), 30);
        let distinct: HashSet<_> = p.iter().collect();
        assert_eq!(distinct.len(), p.len());
    }

    #[test]
    fn placements_refuse_impossible_sizes() {
        let mut rng = Rng::new(3);
        assert!(placements(&mut rng, sizes(500, 10, 20)).is_err());
        assert!(placements(&mut rng, sizes(20, 100, 20)).is_err());
        assert!(placements(&mut rng, sizes(40, 100, 3)).is_err());
    }

    #[test]
    fn templates_are_about_two_kilobytes_with_six_formulas() {
        let mut rng = Rng::new(1);
        for _ in 0..8 {
            let t = template(&mut rng);
            assert!((1_500..3_000).contains(&t.len()), "{} bytes", t.len());
            assert!(t.contains(MARKER));
        }
    }

    #[test]
    fn arxiv_refs_parse_and_differ() {
        let mut seen = HashSet::new();
        for i in (0..2_000).chain(999_000..1_000_000) {
            assert!(seen.insert(arxiv_ref(i).unwrap().0.to_string()), "{i}");
        }
    }

    #[test]
    fn presets() {
        let mut a = GenSiteArgs {
            store: StoreArgs::default(),
            papers: None,
            summaries: None,
            users: None,
            votes: None,
            comments: None,
            large: false,
            seed: 1,
            sessions: 0,
            sessions_file: None,
        };
        assert_eq!(a.sizes().papers, 10_000);
        assert_eq!(a.sizes().summaries, 2_000);
        a.large = true;
        assert_eq!(a.sizes().papers, 1_000_000);
        a.summaries = Some(50);
        assert_eq!(a.sizes().summaries, 50);
    }
}
