//! Paper identifier parser: never panics, and what it accepts reads back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shortscience_ids::PaperRef;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(id) = PaperRef::parse(input) {
        // `kind:value` is documented to parse back to the same identifier.
        let again = PaperRef::parse(&id.to_string())
            .unwrap_or_else(|e| panic!("{input:?} -> {id} does not parse back: {e}"));
        assert_eq!(again, id, "{input:?}");
        let _ = (id.external_url(), id.label(), id.legacy_key(), id.implied());
    }
});
