//! Full-text search, typeahead, venue/author lists and the random summary.

use shortscience_ids::PaperId;
use shortscience_store::{Backend, NewPaper, RANK_WINDOW, SearchQuery, Store, SummaryImport};

use crate::{arxiv, doi, import, stores};

fn q(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        ..SearchQuery::default()
    }
}

async fn ids(store: &Store, query: &SearchQuery) -> Vec<PaperId> {
    store
        .search(query)
        .await
        .unwrap_or_else(|e| panic!("search {:?}: {e}", query.text))
        .items
        .into_iter()
        .map(|h| h.paper.id)
        .collect()
}

async fn add(
    store: &Store,
    id: &str,
    title: &str,
    authors: &[&str],
    year: i32,
    venue: &str,
    abstract_text: &str,
) -> PaperId {
    store
        .upsert_paper(&NewPaper {
            refs: vec![arxiv(id)],
            title: title.into(),
            authors: authors.iter().map(|a| a.to_string()).collect(),
            year: Some(year),
            venue: Some(venue.into()),
            abstract_text: Some(abstract_text.into()),
        })
        .await
        .unwrap()
}

/// Three papers, summaries public, private and anonymous.
struct Fixture {
    attention: PaperId,
    resnet: PaperId,
    gan: PaperId,
}

async fn fixture(store: &Store) -> Fixture {
    // Summaries first: their imports carry placeholder titles that `add` then replaces.
    store
        .import_summary(&import(
            "1706.03762",
            "ada",
            "Self-attention replaces recurrence; the zeppelin of sequence models.",
        ))
        .await
        .unwrap();
    let private = SummaryImport {
        private: true,
        ..import(
            "1512.03385",
            "bob",
            "Skip connections, a secret xylophone idea.",
        )
    };
    store.import_summary(&private).await.unwrap();
    let anonymous = SummaryImport {
        anonymous: true,
        ..import(
            "1406.2661",
            "carol",
            "A minimax game with a quokka discriminator.",
        )
    };
    store.import_summary(&anonymous).await.unwrap();
    let attention = add(
        store,
        "1706.03762",
        "Attention Is All You Need",
        &["Ashish Vaswani", "Noam Shazeer"],
        2017,
        "NeurIPS",
        "The dominant sequence transduction models are based on recurrent networks.",
    )
    .await;
    let resnet = add(
        store,
        "1512.03385",
        "Deep Residual Learning for Image Recognition",
        &["Kaiming He", "Xiangyu Zhang"],
        2016,
        "CVPR",
        "Deeper neural networks are more difficult to train.",
    )
    .await;
    let gan = add(
        store,
        "1406.2661",
        "Generative Adversarial Networks",
        &["Ian Goodfellow"],
        2014,
        "NeurIPS",
        "A new framework for estimating generative models via an adversarial process.",
    )
    .await;
    Fixture {
        attention,
        resnet,
        gan,
    }
}

#[tokio::test]
async fn finds_papers_by_title_author_abstract_and_summary_words() {
    for (store, db) in stores().await {
        let f = fixture(&store).await;
        assert_eq!(
            ids(&store, &q("attention need")).await,
            [f.attention],
            "{}",
            db.name
        );
        assert_eq!(
            ids(&store, &q("Vaswani")).await,
            [f.attention],
            "{}",
            db.name
        );
        assert_eq!(
            ids(&store, &q("transduction")).await,
            [f.attention],
            "{}",
            db.name
        );
        // Stemmed: "network" finds "networks" (title of one, abstract of two).
        let mut found = ids(&store, &q("network")).await;
        found.sort();
        let mut want = vec![f.attention, f.resnet, f.gan];
        want.sort();
        assert_eq!(found, want, "{}", db.name);
        // Public summary text.
        assert_eq!(
            ids(&store, &q("zeppelin")).await,
            [f.attention],
            "{}",
            db.name
        );
        // Every word must match somewhere.
        assert!(
            ids(&store, &q("attention quokka")).await.is_empty(),
            "{}",
            db.name
        );

        let hit = &store.search(&q("attention")).await.unwrap().items[0];
        assert_eq!(hit.paper.title, "Attention Is All You Need");
        assert_eq!(hit.paper.authors, ["Ashish Vaswani", "Noam Shazeer"]);
        assert_eq!(hit.paper.year, Some(2017));
        assert_eq!(hit.paper.venue.as_deref(), Some("NeurIPS"));
        assert_eq!(hit.paper.summaries, 1);
        assert!(!hit.exact);
    }
}

#[tokio::test]
async fn private_summaries_are_never_found_and_anonymous_ones_hide_their_author() {
    for (store, db) in stores().await {
        let f = fixture(&store).await;
        assert!(ids(&store, &q("xylophone")).await.is_empty(), "{}", db.name);
        // The private summary does not count either.
        let hit = &store.search(&q("residual")).await.unwrap().items[0];
        assert_eq!(hit.paper.id, f.resnet);
        assert_eq!(hit.paper.summaries, 0, "{}", db.name);
        // Anonymous: its words find the paper, its author's name finds nothing.
        assert_eq!(ids(&store, &q("quokka")).await, [f.gan], "{}", db.name);
        assert!(ids(&store, &q("carol")).await.is_empty(), "{}", db.name);

        // Turning a public summary private removes it from the index, and back again.
        let mut s = import("1706.03762", "ada", "Now about a narwhal.");
        store.import_summary(&s).await.unwrap();
        assert!(ids(&store, &q("zeppelin")).await.is_empty(), "{}", db.name);
        assert_eq!(
            ids(&store, &q("narwhal")).await,
            [f.attention],
            "{}",
            db.name
        );
        s.private = true;
        store.import_summary(&s).await.unwrap();
        assert!(ids(&store, &q("narwhal")).await.is_empty(), "{}", db.name);
        s.private = false;
        store.import_summary(&s).await.unwrap();
        assert_eq!(
            ids(&store, &q("narwhal")).await,
            [f.attention],
            "{}",
            db.name
        );
        // And the random summary is always a public one.
        for _ in 0..20 {
            let id = store
                .random_summary()
                .await
                .unwrap()
                .expect("some public summary");
            let view = store.summary(id, None).await.unwrap().expect("visible");
            assert!(!view.private);
        }
    }
}

#[tokio::test]
async fn filters_and_pages() {
    for (store, db) in stores().await {
        let f = fixture(&store).await;
        let network = |year_from, year_to, venue: Option<&str>, has_summaries| SearchQuery {
            text: "networks".into(),
            year_from,
            year_to,
            venue: venue.map(str::to_owned),
            has_summaries,
            ..SearchQuery::default()
        };
        assert_eq!(
            ids(&store, &network(Some(2016), None, None, false))
                .await
                .len(),
            2,
            "{}",
            db.name
        );
        assert_eq!(
            ids(&store, &network(None, Some(2014), None, false)).await,
            [f.gan],
            "{}",
            db.name
        );
        // Bounds given the wrong way round still mean the range.
        assert_eq!(
            ids(&store, &network(Some(2016), Some(2015), None, false)).await,
            [f.resnet],
            "{}",
            db.name
        );
        let mut neurips = ids(&store, &network(None, None, Some("NeurIPS"), false)).await;
        neurips.sort();
        assert_eq!(neurips, [f.gan.min(f.attention), f.gan.max(f.attention)]);
        let mut summarised = ids(&store, &network(None, None, None, true)).await;
        summarised.sort();
        assert_eq!(
            summarised,
            [f.gan.min(f.attention), f.gan.max(f.attention)],
            "{}",
            db.name
        );

        // Filters alone list papers, newest first.
        let venue_only = SearchQuery {
            venue: Some("NeurIPS".into()),
            ..SearchQuery::default()
        };
        assert_eq!(
            ids(&store, &venue_only).await,
            [f.attention, f.gan],
            "{}",
            db.name
        );
        assert!(ids(&store, &q("")).await.is_empty());

        // Pages of one cover all three, without repeats, and say when they end.
        let mut seen = Vec::new();
        for page in 1..=3 {
            let found = store
                .search(&SearchQuery {
                    page,
                    per_page: 1,
                    ..q("network")
                })
                .await
                .unwrap();
            assert_eq!(found.items.len(), 1);
            assert_eq!(found.has_next, page < 3, "{} page {page}", db.name);
            seen.push(found.items[0].paper.id);
        }
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 3);
        let beyond = store
            .search(&SearchQuery {
                page: 4,
                per_page: 1,
                ..q("network")
            })
            .await
            .unwrap();
        assert!(beyond.items.is_empty() && !beyond.has_next);
    }
}

#[tokio::test]
async fn identifiers_short_circuit() {
    for (store, db) in stores().await {
        let f = fixture(&store).await;
        store
            .upsert_paper(&NewPaper {
                refs: vec![arxiv("1706.03762"), doi("10.5555/3295222.3295349")],
                ..NewPaper::default()
            })
            .await
            .unwrap();
        for text in [
            "https://arxiv.org/abs/1706.03762v5",
            " 1706.03762 ",
            "arXiv:1706.03762",
            "https://doi.org/10.5555/3295222.3295349",
        ] {
            let found = store.search(&q(text)).await.unwrap();
            assert_eq!(found.items.len(), 1, "{} {text}", db.name);
            assert!(found.items[0].exact);
            assert_eq!(found.items[0].paper.id, f.attention);
            assert!(!found.has_next);
        }
        // An unknown identifier falls back to words (and finds nothing here).
        assert!(ids(&store, &q("2401.00001")).await.is_empty());
    }
}

/// Every query a visitor could type is answered, never an error.
#[tokio::test]
async fn hostile_queries_are_plain_text() {
    let long = "attention ".repeat(1_100);
    let mut hostile: Vec<String> = [
        "\"",
        "\"\"",
        "'",
        "*",
        "attention*",
        ":",
        "title:attention",
        "-",
        "-attention",
        "NEAR",
        "NEAR(attention need)",
        "attention NEAR need",
        "^",
        "^attention",
        "(",
        ")",
        "(attention",
        "AND",
        "OR",
        "NOT",
        "attention AND",
        "OR need",
        "{title}: x",
        "+",
        "&",
        "|",
        "!",
        "<->",
        "attention & need",
        "'attention':*",
        "\\",
        "%",
        "_",
        "?",
        "\0",
        "a\0b",
        "😀",
        "注意力",
        "שלום עולם",
        "مرحبا",
        "\u{202e}evil",
        "\u{feff}",
        "ﬁ",
        "Ⅻ",
        "²",
        "İstanbul",
        "e\u{301}",
        "\u{7f}",
        "\r\n",
        "\t",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    hostile.push(long);
    hostile.push("\"*:-^()".repeat(2_000));
    for (store, db) in stores().await {
        let f = fixture(&store).await;
        for text in &hostile {
            let found = store.search(&q(text)).await;
            assert!(
                found.is_ok(),
                "{} search {text:?}: {:?}",
                db.name,
                found.err()
            );
            let typed = store.typeahead(text, 8).await;
            assert!(
                typed.is_ok(),
                "{} typeahead {text:?}: {:?}",
                db.name,
                typed.err()
            );
            let author = store.author_papers(text, 1, 10).await;
            assert!(
                author.is_ok(),
                "{} author {text:?}: {:?}",
                db.name,
                author.err()
            );
            let venue = store.venue_years(text).await;
            assert!(
                venue.is_ok(),
                "{} venue {text:?}: {:?}",
                db.name,
                venue.err()
            );
            let listed = store.venue_papers(text, Some(2017), 1, 10).await;
            assert!(
                listed.is_ok(),
                "{} venue papers {text:?}: {:?}",
                db.name,
                listed.err()
            );
            let filtered = store
                .search(&SearchQuery {
                    venue: Some(text.clone()),
                    ..q(text)
                })
                .await;
            assert!(
                filtered.is_ok(),
                "{} venue filter {text:?}: {:?}",
                db.name,
                filtered.err()
            );
        }
        // Operators are words, not syntax: the 10 KB query still means "attention".
        assert_eq!(
            ids(&store, &q(&hostile[hostile.len() - 2])).await,
            [f.attention]
        );
        assert_eq!(
            ids(&store, &q("NEAR(attention need)")).await.len(),
            0,
            "{}",
            db.name
        );
        assert_eq!(
            ids(&store, &q("-attention")).await,
            [f.attention],
            "{}",
            db.name
        );
    }
}

#[tokio::test]
async fn a_common_word_ranks_a_window_and_filters_reach_past_it() {
    for (store, db) in stores().await {
        // The oldest match is the only one in its venue; a window of the newest or the
        // first matches must not hide it from a filtered search.
        let rare = add(
            &store,
            "2001.00001",
            "Common ground",
            &["Ann Bee"],
            2001,
            "Rare",
            "",
        )
        .await;
        for i in 0..RANK_WINDOW + 40 {
            add(
                &store,
                &format!("2101.{:05}", i + 1),
                &format!("Common ground number {i}"),
                &["Cy Dee"],
                2021,
                "Big",
                "",
            )
            .await;
        }
        let mut seen = std::collections::HashSet::new();
        for page in 1.. {
            let found = store
                .search(&SearchQuery {
                    page,
                    per_page: 100,
                    ..q("common ground")
                })
                .await
                .unwrap();
            for hit in &found.items {
                assert!(
                    seen.insert(hit.paper.id),
                    "{} repeats {}",
                    db.name,
                    hit.paper.id
                );
            }
            if !found.has_next {
                break;
            }
        }
        assert!(
            (RANK_WINDOW..=2 * RANK_WINDOW).contains(&seen.len()),
            "{} listed {}",
            db.name,
            seen.len()
        );
        let rare_only = SearchQuery {
            venue: Some("Rare".into()),
            ..q("common")
        };
        assert_eq!(ids(&store, &rare_only).await, [rare], "{}", db.name);
        let old = SearchQuery {
            year_to: Some(2010),
            ..q("ground")
        };
        assert_eq!(ids(&store, &old).await, [rare], "{}", db.name);
    }
}

#[tokio::test]
async fn typeahead_completes_titles() {
    for (store, db) in stores().await {
        let f = fixture(&store).await;
        let titles =
            |v: Vec<(PaperId, String)>| v.into_iter().map(|(id, _)| id).collect::<Vec<_>>();
        assert_eq!(
            titles(store.typeahead("attent", 8).await.unwrap()),
            [f.attention],
            "{}",
            db.name
        );
        assert_eq!(
            titles(store.typeahead("deep resid", 8).await.unwrap()),
            [f.resnet],
            "{}",
            db.name
        );
        // Authors and abstracts do not complete titles.
        assert!(
            store.typeahead("vaswan", 8).await.unwrap().is_empty(),
            "{}",
            db.name
        );
        // Too short to complete; a finished word must match whole.
        assert!(store.typeahead("at", 8).await.unwrap().is_empty());
        assert_eq!(store.typeahead("networks ", 8).await.unwrap().len(), 1);
        let (id, title) = &store.typeahead("generative adv", 8).await.unwrap()[0];
        assert_eq!(
            (*id, title.as_str()),
            (f.gan, "Generative Adversarial Networks")
        );
    }
}

#[tokio::test]
async fn typeahead_ranks_within_the_window_of_a_common_prefix() {
    for (store, db) in stores().await {
        // More matches than the window. SQLite ranks the newest RANK_WINDOW, PostgreSQL the
        // first in storage order; the paper added half way is in both, and it matches best.
        let total = RANK_WINDOW + 40;
        let mut best = None;
        for i in 0..total {
            let title = if i == total / 2 {
                "Commonplace commonplace".to_owned()
            } else {
                format!("Commonplace ground number {i}")
            };
            let id = add(
                &store,
                &format!("2102.{:05}", i + 1),
                &title,
                &["Cy Dee"],
                2021,
                "Big",
                "",
            )
            .await;
            if i == total / 2 {
                best = Some(id);
            }
        }
        let found = store.typeahead("ground comm", 8).await.unwrap();
        assert_eq!(found.len(), 8, "{}", db.name);
        assert!(
            found
                .iter()
                .all(|(_, t)| t.starts_with("Commonplace ground")),
            "{}: {found:?}",
            db.name
        );
        let found = store.typeahead("comm", 8).await.unwrap();
        assert_eq!(found.len(), 8, "{}", db.name);
        assert_eq!(Some(found[0].0), best, "{}: {found:?}", db.name);
    }
}

#[tokio::test]
async fn postgres_keeps_summary_search_vectors_in_the_row() {
    for (store, db) in stores().await {
        if store.backend() != Backend::Postgres {
            continue;
        }
        let storage: String = sqlx::query_scalar(
            "SELECT CAST(attstorage AS TEXT) FROM pg_attribute
             WHERE attrelid = 'summaries'::regclass AND attname = 'search'",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(storage, "m", "{}", db.name);
    }
}

#[tokio::test]
async fn venues_years_and_authors() {
    for (store, db) in stores().await {
        let f = fixture(&store).await;
        let venues = store.venues().await.unwrap();
        assert_eq!(
            venues,
            [("NeurIPS".to_owned(), 2), ("CVPR".to_owned(), 1)],
            "{}",
            db.name
        );
        assert_eq!(
            store.venue_years("NeurIPS").await.unwrap(),
            [(Some(2017), 1), (Some(2014), 1)]
        );
        assert!(store.venue_years("neurips").await.unwrap().is_empty());

        let listed = store
            .venue_papers("NeurIPS", Some(2017), 1, 10)
            .await
            .unwrap();
        assert_eq!(listed.items.len(), 1);
        let (card, top) = &listed.items[0];
        assert_eq!(card.id, f.attention);
        let top = top.as_ref().expect("its public summary");
        assert_eq!(top.paper_id, f.attention);
        assert_eq!(
            top.author.as_ref().map(|a| a.username.as_str()),
            Some("ada")
        );
        // The anonymous top summary comes without its author; a private one not at all.
        let gan = store
            .venue_papers("NeurIPS", Some(2014), 1, 10)
            .await
            .unwrap();
        assert!(gan.items[0].1.as_ref().is_some_and(|s| s.author.is_none()));
        let cvpr = store.venue_papers("CVPR", Some(2016), 1, 10).await.unwrap();
        assert!(cvpr.items[0].1.is_none(), "{}", db.name);
        assert!(
            store
                .venue_papers("CVPR", None, 1, 10)
                .await
                .unwrap()
                .items
                .is_empty()
        );

        let by = |name: &'static str| {
            let store = store.clone();
            async move {
                store
                    .author_papers(name, 1, 10)
                    .await
                    .unwrap()
                    .items
                    .into_iter()
                    .map(|c| c.id)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(by("Kaiming He").await, [f.resnet], "{}", db.name);
        // Exact names only: a part of a name, or words of the title, are not an author.
        assert!(by("Kaiming").await.is_empty());
        assert!(by("Residual Learning").await.is_empty());
        assert!(by("").await.is_empty());
    }
}

#[tokio::test]
async fn no_public_summary_means_no_random_one() {
    for (store, db) in stores().await {
        assert_eq!(store.random_summary().await.unwrap(), None, "{}", db.name);
        let private = SummaryImport {
            private: true,
            ..import("1512.03385", "bob", "Only mine.")
        };
        store.import_summary(&private).await.unwrap();
        assert_eq!(store.random_summary().await.unwrap(), None, "{}", db.name);
    }
}
