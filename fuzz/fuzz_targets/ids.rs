//! Paper identifier parser: never panics, and what it accepts reads back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shortscience_ids::PaperRef;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(id) = PaperRef::parse(input) {
        // `kind:value` parses back to the same identifier (values are capped at
        // MAX_VALUE_LEN so the prefixed form fits; fuzz/regressions/ids found that).
        let shown = id.to_string();
        let again = PaperRef::parse(&shown)
            .unwrap_or_else(|e| panic!("{input:?} -> {id} does not parse back: {e}"));
        assert_eq!(again, id, "{input:?}");
        let _ = (id.external_url(), id.label(), id.legacy_key(), id.implied());
    }
});
