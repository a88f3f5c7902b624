//! BibTeX and RIS readers and the LaTeX-to-Unicode pass: never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shortscience_sources::{bibtex, latex_to_unicode, ris};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (entries, _) = bibtex::parse(&text);
    for entry in &entries {
        let _ = entry.to_record();
    }
    let (entries, _) = ris::parse(&text);
    for entry in &entries {
        let _ = entry.to_record();
    }
    let _ = latex_to_unicode(&text);
});
