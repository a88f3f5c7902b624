//! Benchmarks (hidden commands): `gen-dblp N FILE` writes a synthetic DBLP-like dump,
//! `bench-search` seeds summaries and times search, typeahead and id lookups.
//!
//! The synthetic catalog imitates DBLP's shape: a third CoRR preprints (arXiv `ee`),
//! conference papers with DOIs (a tenth of them also linking an earlier preprint, which
//! the import merges), journal articles; titles and author names drawn from skewed
//! (Zipf–Mandelbrot) distributions, so some words and authors are very common and most
//! are rare, as in real titles; a few names use the DTD's Latin-1 entities. Every record
//! is a pure function of (seed, index), so runs are repeatable.

use std::fmt::Write as _;
use std::io::{BufWriter, IsTerminal as _, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use shortscience::settings::Overrides;
use shortscience_ids::{PaperId, PaperRef};
use shortscience_store::{NewPaper, SearchQuery, Store, SummaryImport};

use super::open_store;
use crate::StoreArgs;

#[derive(Debug, Clone, Args)]
pub struct GenDblpArgs {
    /// Number of records
    #[arg(value_name = "N")]
    pub records: u64,
    /// File to write (DBLP XML, ISO-8859-1 with the DTD's entities)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Seed: the same seed and N give the same file
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Clone, Args)]
pub struct BenchSearchArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Public and private summaries to have in the database first (seeded if fewer)
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub summaries: u64,
    /// Timed queries of each kind
    #[arg(long, value_name = "N", default_value_t = 1_000)]
    pub queries: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// SplitMix64: tiny, fast, good enough for synthetic data.
struct Rng(u64);

/// SplitMix64's output function: a bijective scramble of 64 bits.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// Independent-looking streams per (seed, stream): both are scrambled before they
    /// meet, so neighbouring streams are not shifted copies of each other.
    fn new(seed: u64, stream: u64) -> Rng {
        Rng(mix(
            mix(seed ^ 0x5EED) ^ mix(stream.wrapping_add(0x9E37_79B9_7F4A_7C15))
        ))
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Zipf–Mandelbrot ranks: P(r) ∝ 1 / (r + q)^s, sampled by binary search.
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize, q: f64, s: f64) -> Zipf {
        let mut total = 0.0;
        let cumulative = (0..n)
            .map(|r| {
                total += 1.0 / (r as f64 + 1.0 + q).powf(s);
                total
            })
            .collect::<Vec<_>>();
        let cumulative = cumulative.into_iter().map(|c| c / total).collect();
        Zipf { cumulative }
    }
    fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.cumulative
            .partition_point(|&c| c < u)
            .min(self.cumulative.len() - 1)
    }
}

/// The most frequent title words; the long tail is made of pseudo-words.
const COMMON: &[&str] = &[
    "learning",
    "neural",
    "networks",
    "deep",
    "model",
    "models",
    "data",
    "graph",
    "efficient",
    "analysis",
    "optimization",
    "robust",
    "adaptive",
    "system",
    "systems",
    "approach",
    "estimation",
    "detection",
    "recognition",
    "generative",
    "reinforcement",
    "language",
    "representation",
    "inference",
    "bayesian",
    "stochastic",
    "convex",
    "sparse",
    "distributed",
    "parallel",
    "algorithm",
    "algorithms",
    "framework",
    "semantic",
    "image",
    "video",
    "speech",
    "attention",
    "transformer",
    "adversarial",
    "training",
    "scalable",
    "online",
    "federated",
    "privacy",
    "secure",
    "fast",
    "large",
    "scale",
    "multi",
    "task",
    "transfer",
    "domain",
    "unsupervised",
    "supervised",
    "self",
    "contrastive",
    "embedding",
    "embeddings",
    "kernel",
    "clustering",
    "classification",
    "regression",
    "prediction",
    "control",
    "planning",
    "policy",
    "gradient",
    "descent",
    "variational",
    "causal",
    "fairness",
    "explainable",
    "interpretable",
    "quantum",
    "wireless",
    "software",
    "verification",
    "database",
    "query",
    "queries",
    "index",
    "search",
    "retrieval",
    "recommendation",
    "social",
    "network",
    "dynamic",
    "temporal",
    "spatial",
    "segmentation",
    "3d",
    "object",
    "tracking",
    "visual",
    "question",
    "answering",
    "translation",
    "text",
    "dialogue",
    "knowledge",
    "reasoning",
    "theory",
    "bounds",
    "complexity",
    "approximation",
    "random",
    "matrix",
    "tensor",
    "diffusion",
    "flow",
    "memory",
    "energy",
    "hardware",
    "compiler",
    "program",
    "synthesis",
    "logic",
    "games",
    "agents",
    "multiagent",
    "robot",
    "robotics",
    "medical",
    "clinical",
];

/// Small words titles are glued with (indexed like any other word on SQLite).
const GLUE: &[&str] = &[
    "for", "of", "with", "a", "the", "on", "via", "and", "in", "using", "based", "towards",
];

const FIRST: &[&str] = &[
    "Wei",
    "Jing",
    "Li",
    "Yang",
    "Hao",
    "Xin",
    "Yu",
    "Jun",
    "Ming",
    "Lei",
    "Anna",
    "Maria",
    "David",
    "Michael",
    "John",
    "James",
    "Robert",
    "Sarah",
    "Laura",
    "Emma",
    "Thomas",
    "Daniel",
    "Andrew",
    "Peter",
    "Paul",
    "Mark",
    "Alexander",
    "Sergey",
    "Ivan",
    "Olga",
    "Hiroshi",
    "Takashi",
    "Yuki",
    "Kenji",
    "Raj",
    "Amit",
    "Priya",
    "Anil",
    "Sanjay",
    "Arjun",
    "Ahmed",
    "Mohamed",
    "Omar",
    "Fatima",
    "Ali",
    "Carlos",
    "Juan",
    "Luis",
    "Ana",
    "Pedro",
    "Marco",
    "Luca",
    "Giulia",
    "Pierre",
    "Julien",
    "Sophie",
    "Hans",
    "Klaus",
    "Stefan",
    "Lars",
    "Nils",
    "Ingrid",
    "Kim",
    "Min",
    "Seung",
    "Ji",
    "Hyun",
    "Noam",
    "Yoav",
    "Elena",
    "J&uuml;rgen",
    "Fran&ccedil;ois",
    "Ren&eacute;",
    "S&oslash;ren",
    "Bj&ouml;rn",
    "Zolt&aacute;n",
    "Andr&eacute;s",
    "J&ouml;rg",
    "In&ecirc;s",
    "Jos&eacute;",
];

const LAST: &[&str] = &[
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Xu",
    "Sun",
    "Smith",
    "Johnson",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Garcia",
    "Rodriguez",
    "Wilson",
    "Martinez",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Martin",
    "Lee",
    "Kim",
    "Park",
    "Nguyen",
    "Tanaka",
    "Suzuki",
    "Sato",
    "Kumar",
    "Singh",
    "Sharma",
    "Patel",
    "Gupta",
    "M&uuml;ller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Rossi",
    "Russo",
    "Ferrari",
    "Dubois",
    "Moreau",
    "Petrov",
    "Ivanov",
    "Cohen",
    "Levi",
    "Silva",
    "Santos",
    "Oliveira",
    "Hansen",
    "Johansson",
    "Nielsen",
    "Kowalski",
    "Nowak",
    "G&ouml;del",
];

const SYLLABLES_ON: &[&str] = &[
    "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br",
    "tr", "st", "pl", "gr", "ch", "sh", "th",
];
const SYLLABLES_NU: &[&str] = &["a", "e", "i", "o", "u", "ai", "ou", "ea"];
const SYLLABLES_CO: &[&str] = &["", "n", "r", "l", "s", "x", "m", "nd", "rt", "ck"];

/// A pronounceable pseudo-word for rank `i` (distinct for distinct `i` below 10^6).
fn pseudo_word(i: usize) -> String {
    let per = SYLLABLES_ON.len() * SYLLABLES_NU.len() * SYLLABLES_CO.len();
    let syl = |k: usize| {
        format!(
            "{}{}{}",
            SYLLABLES_ON[k % SYLLABLES_ON.len()],
            SYLLABLES_NU[(k / SYLLABLES_ON.len()) % SYLLABLES_NU.len()],
            SYLLABLES_CO[(k / (SYLLABLES_ON.len() * SYLLABLES_NU.len())) % SYLLABLES_CO.len()]
        )
    };
    format!(
        "{}{}{}",
        syl(i % per),
        syl((i / per) % per),
        if i.is_multiple_of(3) { "ion" } else { "" }
    )
}

const VOCABULARY: usize = 30_000;
const AUTHORS: usize = 200_000;
const SURNAMES: usize = 20_000;

const CONFERENCES: &[(&str, &str)] = &[
    ("nips", "NeurIPS"),
    ("icml", "ICML"),
    ("iclr", "ICLR"),
    ("cvpr", "CVPR"),
    ("iccv", "ICCV"),
    ("eccv", "ECCV"),
    ("acl", "ACL"),
    ("emnlp", "EMNLP"),
    ("naacl", "NAACL-HLT"),
    ("aaai", "AAAI"),
    ("ijcai", "IJCAI"),
    ("kdd", "KDD"),
    ("www", "WWW"),
    ("sigir", "SIGIR"),
    ("sigmod", "SIGMOD Conference"),
    ("vldb", "VLDB"),
    ("icde", "ICDE"),
    ("stoc", "STOC"),
    ("focs", "FOCS"),
    ("soda", "SODA"),
    ("chi", "CHI"),
    ("uist", "UIST"),
    ("osdi", "OSDI"),
    ("sosp", "SOSP"),
    ("nsdi", "NSDI"),
    ("sigcomm", "SIGCOMM"),
    ("pldi", "PLDI"),
    ("popl", "POPL"),
    ("icse", "ICSE"),
    ("fse", "ESEC/SIGSOFT FSE"),
    ("ccs", "CCS"),
    ("uss", "USENIX Security Symposium"),
    ("sp", "IEEE Symposium on Security and Privacy"),
    ("icra", "ICRA"),
    ("iros", "IROS"),
    ("rss", "Robotics: Science and Systems"),
    ("colt", "COLT"),
    ("aistats", "AISTATS"),
    ("uai", "UAI"),
    ("interspeech", "INTERSPEECH"),
];

const JOURNALS: &[(&str, &str)] = &[
    ("jmlr", "J. Mach. Learn. Res."),
    ("pami", "IEEE Trans. Pattern Anal. Mach. Intell."),
    ("ijcv", "Int. J. Comput. Vis."),
    ("nature", "Nature"),
    ("tacl", "Trans. Assoc. Comput. Linguistics"),
    ("ai", "Artif. Intell."),
    ("cacm", "Commun. ACM"),
    ("jacm", "J. ACM"),
    ("tods", "ACM Trans. Database Syst."),
    ("tog", "ACM Trans. Graph."),
    ("tit", "IEEE Trans. Inf. Theory"),
    ("tnn", "IEEE Trans. Neural Networks Learn. Syst."),
    ("pvldb", "Proc. VLDB Endow."),
    ("siamcomp", "SIAM J. Comput."),
    ("tse", "IEEE Trans. Software Eng."),
    ("neco", "Neural Comput."),
    ("ml", "Mach. Learn."),
    ("jair", "J. Artif. Intell. Res."),
];

/// What the generator and the benchmark draw from.
struct Synth {
    seed: u64,
    words: Vec<String>,
    word_rank: Zipf,
    author_rank: Zipf,
    surnames: Vec<String>,
}

/// One synthetic record.
struct Synthetic {
    kind: Kind,
    key: String,
    authors: Vec<String>,
    title: String,
    year: i32,
    venue: String,
    volume: Option<String>,
    ee: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Corr,
    Conference,
    Journal,
}

/// arXiv months 2015-01 … 2025-12 (five-digit numbers), as YYMM.
const ARXIV_MONTHS: u64 = 132;

impl Synth {
    fn new(seed: u64) -> Synth {
        let mut words: Vec<String> = COMMON.iter().map(|w| w.to_string()).collect();
        let mut i = 0;
        while words.len() < VOCABULARY {
            let w = pseudo_word(i);
            i += 1;
            if !COMMON.contains(&w.as_str()) {
                words.push(w);
            }
        }
        Synth {
            seed,
            words,
            word_rank: Zipf::new(VOCABULARY, 10.0, 1.0),
            author_rank: Zipf::new(AUTHORS, 5.0, 0.9),
            surnames: (0..SURNAMES)
                .map(|i| capitalised(&pseudo_word(i * 7 + 3)))
                .collect(),
        }
    }

    fn kind(&self, i: u64) -> Kind {
        match Rng::new(self.seed, i).below(100) {
            0..35 => Kind::Corr,
            35..80 => Kind::Conference,
            _ => Kind::Journal,
        }
    }

    /// The arXiv id of CoRR record `i`: unique per index.
    fn arxiv_id(i: u64) -> (String, i32) {
        let month = i % ARXIV_MONTHS;
        let (yy, mm) = (15 + month / 12, month % 12 + 1);
        // Sequence numbers start at 1: arXiv has no paper 00000.
        (
            format!("{yy:02}{mm:02}.{:05}", (i / ARXIV_MONTHS) % 99_999 + 1),
            2000 + yy as i32,
        )
    }

    fn word(&self, rng: &mut Rng) -> &str {
        &self.words[self.word_rank.sample(rng)]
    }

    /// A name as DBLP writes it (with entities).
    fn author(&self, rng: &mut Rng) -> String {
        let who = self.author_rank.sample(rng) as u64;
        let mut r = Rng::new(self.seed ^ 0xA17, who);
        let first = FIRST[r.below(FIRST.len() as u64) as usize];
        let last = if r.below(3) == 0 {
            LAST[r.below(LAST.len() as u64) as usize].to_owned()
        } else {
            self.surnames[r.below(SURNAMES as u64) as usize].clone()
        };
        format!("{first} {last}")
    }

    fn title(&self, rng: &mut Rng) -> String {
        let n = 4 + rng.below(6) as usize;
        let mut words: Vec<String> = Vec::with_capacity(n + 2);
        for k in 0..n {
            if k > 0 && k < n - 1 && rng.below(4) == 0 {
                words.push(GLUE[rng.below(GLUE.len() as u64) as usize].to_owned());
            }
            words.push(self.word(rng).to_owned());
        }
        let mut t = words.join(" ");
        if let Some(first) = t.get(..1) {
            t = first.to_uppercase() + &t[1..];
        }
        t
    }

    fn record(&self, i: u64) -> Synthetic {
        let mut rng = Rng::new(self.seed, i);
        rng.next(); // the draw `kind` used
        let kind = self.kind(i);
        let authors: Vec<String> = (0..1 + rng.below(5))
            .map(|_| self.author(&mut rng))
            .collect();
        let title = self.title(&mut rng);
        let surname = authors[0]
            .rsplit(' ')
            .next()
            .unwrap_or("X")
            .chars()
            .filter(|c| c.is_ascii_alphabetic())
            .collect::<String>();
        let tag = base36(i);
        // Recent years hold more papers, as in DBLP.
        let year = 1990 + (35.0 * rng.unit().sqrt()) as i32;
        match kind {
            Kind::Corr => {
                let (id, year) = Self::arxiv_id(i);
                Synthetic {
                    kind,
                    key: format!("journals/corr/abs-{}", id.replace('.', "-")),
                    authors,
                    title,
                    year,
                    venue: "CoRR".into(),
                    volume: Some(format!("abs/{id}")),
                    ee: vec![format!("https://arxiv.org/abs/{id}")],
                }
            }
            Kind::Conference => {
                let (short, name) = CONFERENCES[rng.below(CONFERENCES.len() as u64) as usize];
                let yy = year % 100;
                let mut ee = vec![format!(
                    "https://doi.org/10.{}/{short}.{year}.{tag}",
                    1000 + short.len()
                )];
                // A tenth were preprints first: link an earlier CoRR record (merged on import).
                if rng.below(10) == 0 && i > 0 {
                    for _ in 0..8 {
                        let j = rng.below(i);
                        if self.kind(j) == Kind::Corr {
                            ee.push(format!("https://arxiv.org/abs/{}", Self::arxiv_id(j).0));
                            break;
                        }
                    }
                }
                Synthetic {
                    kind,
                    key: format!("conf/{short}/{surname}{yy:02}{tag}"),
                    authors,
                    title,
                    year,
                    venue: name.into(),
                    volume: None,
                    ee,
                }
            }
            Kind::Journal => {
                let (short, name) = JOURNALS[rng.below(JOURNALS.len() as u64) as usize];
                let yy = year % 100;
                Synthetic {
                    kind,
                    key: format!("journals/{short}/{surname}{yy:02}{tag}"),
                    authors,
                    title,
                    year,
                    venue: name.into(),
                    volume: Some((1 + rng.below(60)).to_string()),
                    ee: vec![format!(
                        "https://doi.org/10.{}/{short}.{year}.{tag}",
                        2000 + short.len()
                    )],
                }
            }
        }
    }

    /// The record as a DBLP dump element.
    fn write_xml(&self, i: u64, out: &mut String) {
        let r = self.record(i);
        let (element, venue_tag) = match r.kind {
            Kind::Conference => ("inproceedings", "booktitle"),
            Kind::Corr | Kind::Journal => ("article", "journal"),
        };
        let informal = if r.kind == Kind::Corr {
            " publtype=\"informal\""
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<{element} mdate=\"2024-01-01\" key=\"{}\"{informal}>",
            r.key
        );
        for a in &r.authors {
            let _ = writeln!(out, "<author>{a}</author>");
        }
        let _ = writeln!(out, "<title>{}.</title>", r.title);
        let _ = writeln!(out, "<year>{}</year>", r.year);
        let _ = writeln!(out, "<{venue_tag}>{}</{venue_tag}>", xml_text(&r.venue));
        if let Some(v) = &r.volume {
            let _ = writeln!(out, "<volume>{v}</volume>");
        }
        for e in &r.ee {
            let _ = writeln!(out, "<ee>{e}</ee>");
        }
        let _ = writeln!(out, "</{element}>");
    }
}

fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;")
}

fn capitalised(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn bar(len: u64) -> ProgressBar {
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) =
        ProgressStyle::with_template("{bar:30} {pos}/{len} {per_sec} eta {eta} {wide_msg}")
    {
        bar.set_style(style);
    }
    bar
}

pub fn gen_dblp(args: GenDblpArgs) -> anyhow::Result<ExitCode> {
    let file = std::fs::File::create(&args.file)
        .with_context(|| format!("cannot create {}", args.file.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let synth = Synth::new(args.seed);
    let progress = bar(args.records);
    out.write_all(
        b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<!DOCTYPE dblp SYSTEM \"dblp.dtd\">\n<dblp>\n",
    )?;
    let mut chunk = String::with_capacity(1 << 16);
    for i in 0..args.records {
        synth.write_xml(i, &mut chunk);
        if chunk.len() > 60_000 {
            out.write_all(chunk.as_bytes())?;
            chunk.clear();
            progress.set_position(i + 1);
        }
    }
    out.write_all(chunk.as_bytes())?;
    out.write_all(b"</dblp>\n")?;
    out.flush()?;
    progress.finish_and_clear();
    println!("wrote {} records to {}", args.records, args.file.display());
    Ok(ExitCode::SUCCESS)
}

/// p50/p95/p99/max/mean of timings, in milliseconds.
fn line(name: &str, mut t: Vec<Duration>) -> String {
    if t.is_empty() {
        return format!("{name:<22} no samples");
    }
    t.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
    let at = |q: f64| ms(t[((t.len() - 1) as f64 * q).round() as usize]);
    let mean = t.iter().map(|d| ms(*d)).sum::<f64>() / t.len() as f64;
    format!(
        "{name:<22} n={:<6} p50 {:>8.3}  p95 {:>8.3}  p99 {:>8.3}  max {:>8.3}  mean {:>8.3} ms",
        t.len(),
        at(0.50),
        at(0.95),
        at(0.99),
        ms(*t.last().expect("not empty")),
        mean
    )
}

/// A random existing paper (ids of bulk imports are dense; gaps are retried).
async fn random_paper(
    store: &Store,
    rng: &mut Rng,
    max_id: i64,
) -> anyhow::Result<Option<shortscience_store::Paper>> {
    for _ in 0..20 {
        let id = PaperId(1 + rng.below(max_id.max(1) as u64) as i64);
        if let Some(p) = store.paper(id).await? {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

async fn seed_summaries(
    store: &Store,
    synth: &Synth,
    rng: &mut Rng,
    need: u64,
    max_id: i64,
) -> anyhow::Result<()> {
    let progress = bar(need);
    progress.set_message("seeding summaries");
    let users = Zipf::new(5_000, 2.0, 1.0);
    let mut done = 0;
    while done < need {
        let Some(paper) = random_paper(store, rng, max_id).await? else {
            anyhow::bail!("no papers to summarise: import a catalog first");
        };
        let words: Vec<&str> = (0..60 + rng.below(120)).map(|_| synth.word(rng)).collect();
        let markdown = format!(
            "{}.\n\nThe key quantity is $\\mathcal{{L}}(\\theta) = \\sum_i \\ell_i$.\n",
            words.join(" ")
        );
        let import = SummaryImport {
            paper: NewPaper {
                refs: paper.aliases.clone(),
                ..NewPaper::default()
            },
            author_username: format!("reader{}", users.sample(rng)),
            html: format!("<p>{}</p>", words.join(" ")),
            excerpt: words.iter().take(40).copied().collect::<Vec<_>>().join(" "),
            markdown,
            paper_refs: Vec::new(),
            renderer_version: 0,
            private: rng.below(10) == 0,
            anonymous: rng.below(10) == 0,
            created_at: Some(1_600_000_000 + rng.below(150_000_000) as i64),
            edited_at: None,
        };
        store.import_summary(&import).await?;
        done += 1;
        progress.set_position(done);
    }
    progress.finish_and_clear();
    Ok(())
}

pub async fn bench_search(args: BenchSearchArgs) -> anyhow::Result<ExitCode> {
    let (_, store) = open_store(&args.store, Overrides::default()).await?;
    let synth = Synth::new(args.seed);
    let mut rng = Rng::new(args.seed, 0xBE_1C);
    let counts = store.counts().await?;
    let max_id = counts.papers;
    if (counts.summaries as u64) < args.summaries {
        let need = args.summaries - counts.summaries as u64;
        eprintln!("seeding {need} summaries…");
        let t = Instant::now();
        seed_summaries(&store, &synth, &mut rng, need, max_id).await?;
        eprintln!("seeded in {:.1} s", t.elapsed().as_secs_f64());
    }
    // What autovacuum would do after a bulk load, were it on (it is off on the bench
    // machine's PostgreSQL): plans made without statistics are not what we measure.
    store.analyze().await?;
    let counts = store.counts().await?;
    println!(
        "{:?}: {} papers, {} summaries, {} users",
        store.backend(),
        counts.papers,
        counts.summaries,
        counts.users
    );

    // Queries people type: two or three title words, one word, an author's name.
    let mut queries: Vec<(&str, String)> = Vec::new();
    for k in 0..args.queries {
        let q = match k % 10 {
            0..=4 => format!("{} {}", synth.word(&mut rng), synth.word(&mut rng)),
            5 | 6 => format!(
                "{} {} {}",
                synth.word(&mut rng),
                synth.word(&mut rng),
                synth.word(&mut rng)
            ),
            7 => synth.word(&mut rng).to_owned(),
            _ => decode_entities(&synth.author(&mut rng)),
        };
        let kind = match k % 10 {
            0..=4 => "search 2 words",
            5 | 6 => "search 3 words",
            7 => "search 1 word",
            _ => "search author",
        };
        queries.push((kind, q));
    }
    let search = |text: String| {
        let store = store.clone();
        async move {
            store
                .search(&SearchQuery {
                    text,
                    per_page: 20,
                    ..SearchQuery::default()
                })
                .await
        }
    };
    for (_, q) in queries.iter().take(50) {
        search(q.clone()).await?;
    }
    let mut by_kind: std::collections::BTreeMap<&str, Vec<Duration>> = Default::default();
    let mut all = Vec::new();
    let mut empty = 0;
    for (kind, q) in &queries {
        let t = Instant::now();
        let found = search(q.clone()).await?;
        let d = t.elapsed();
        if found.items.is_empty() {
            empty += 1;
        }
        by_kind.entry(kind).or_default().push(d);
        all.push(d);
    }
    println!("{}", line("search (all)", all));
    for (kind, t) in by_kind {
        println!("{}", line(kind, t));
    }
    println!("  ({empty} of {} searches found nothing)", queries.len());

    let mut typed = Vec::new();
    for _ in 0..args.queries {
        let w = synth.word(&mut rng).to_owned();
        let cut: String = w.chars().take(3 + rng.below(4) as usize).collect();
        let prefix = if rng.below(2) == 0 {
            format!("{} {cut}", synth.word(&mut rng))
        } else {
            cut
        };
        let t = Instant::now();
        store.typeahead(&prefix, 8).await?;
        typed.push(t.elapsed());
    }
    println!("{}", line("typeahead", typed));

    // Identifier lookups: aliases of random papers (fetched untimed).
    let mut refs: Vec<PaperRef> = Vec::new();
    while refs.len() < args.queries {
        let Some(p) = random_paper(&store, &mut rng, max_id).await? else {
            break;
        };
        if let Some(r) = p.aliases.get(rng.below(p.aliases.len() as u64) as usize) {
            refs.push(r.clone());
        }
    }
    let mut lookups = Vec::new();
    for r in &refs {
        let t = Instant::now();
        let found = store.find_paper(r).await?;
        lookups.push(t.elapsed());
        anyhow::ensure!(found.is_some(), "{} not found", r.label());
    }
    println!("{}", line("id lookup (find_paper)", lookups));
    let mut by_id = Vec::new();
    for r in &refs {
        let t = Instant::now();
        let found = search(r.external_url()).await?;
        by_id.push(t.elapsed());
        anyhow::ensure!(
            found.items.first().is_some_and(|h| h.exact),
            "{} not found by search",
            r.label()
        );
    }
    println!("{}", line("id via search (URL)", by_id));
    Ok(ExitCode::SUCCESS)
}

/// The Latin-1 entities the generator writes, as text (what the import stores).
fn decode_entities(s: &str) -> String {
    s.replace("&uuml;", "ü")
        .replace("&ouml;", "ö")
        .replace("&ccedil;", "ç")
        .replace("&eacute;", "é")
        .replace("&oslash;", "ø")
        .replace("&aacute;", "á")
        .replace("&ecirc;", "ê")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_repeatable_and_distinct() {
        let a = Synth::new(7);
        let b = Synth::new(7);
        let mut keys = std::collections::HashSet::new();
        for i in 0..2_000 {
            let (x, y) = (a.record(i), b.record(i));
            assert_eq!(x.key, y.key);
            assert_eq!(x.title, y.title);
            assert!(keys.insert(x.key.clone()), "duplicate key {}", x.key);
            assert!(
                PaperRef::parse(&format!("dblp:{}", x.key)).is_ok(),
                "{}",
                x.key
            );
            for e in &x.ee {
                assert!(PaperRef::parse(e).is_ok(), "{e}");
            }
        }
    }

    #[test]
    fn zipf_favours_low_ranks() {
        let z = Zipf::new(1_000, 0.0, 1.0);
        let mut rng = Rng::new(1, 1);
        let draws: Vec<usize> = (0..10_000).map(|_| z.sample(&mut rng)).collect();
        let low = draws.iter().filter(|&&r| r < 10).count();
        let high = draws.iter().filter(|&&r| r >= 990).count();
        assert!(low > high * 10, "{low} vs {high}");
        assert!(draws.iter().all(|&r| r < 1_000));
    }

    #[test]
    fn xml_has_the_dump_shape() {
        let s = Synth::new(1);
        let mut out = String::new();
        for i in 0..50 {
            s.write_xml(i, &mut out);
        }
        assert!(out.contains("<article mdate=\"2024-01-01\" key=\"journals/corr/abs-"));
        assert!(out.contains("<inproceedings "));
        assert!(out.contains("<ee>https://doi.org/10."));
        assert_eq!(out.matches("<title>").count(), 50);
    }
}
