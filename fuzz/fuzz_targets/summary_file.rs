//! Summary-file front matter: never panics, and writing what parsed is a fixed point.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shortscience::summary_file::{parse, parse_lenient, write};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_lenient(input);
    if let Ok(file) = parse(input) {
        let written = write(&file.meta, &file.markdown);
        let again = parse(&written)
            .unwrap_or_else(|e| panic!("written file does not parse: {e:?}\n{written}"));
        assert_eq!(write(&again.meta, &again.markdown), written);
        assert_eq!(again.markdown, file.markdown);
    }
});
