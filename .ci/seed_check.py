"""Checks the served pages of the five seed summaries against the seed README's list."""
import os
import re
import sys
import urllib.request

BASE = os.environ["SEED_BASE"]
failures = []


def get(path):
    with urllib.request.urlopen(BASE + path, timeout=10) as r:
        return r.status, r.geturl(), r.read().decode("utf-8")


def summary_html(arxiv_id):
    status, url, html = get("/abs/" + arxiv_id)
    if status != 200 or "/paper/" not in url:
        failures.append(f"{arxiv_id}: /abs/ did not lead to a paper page ({status} {url})")
        return ""
    m = re.search(r"<article[^>]*summary-\d+.*?</article>", html, re.S)
    if not m:
        failures.append(f"{arxiv_id}: no summary article on {url}")
        return ""
    return m.group(0)


def text_outside_math(html):
    no_math = re.sub(r"<math.*?</math>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", "", no_math)


def expect(name, cond, what):
    print(("ok   " if cond else "FAIL ") + f"{name}: {what}")
    if not cond:
        failures.append(f"{name}: {what}")


s = summary_html("1609.00150")
expect("01-raml", s.count('<math display="block"') == 5, "5 display equations")
expect("01-raml", s.count("<math") > 5 and "<mi>θ</mi>" in s, "inline maths (p_θ)")
expect("01-raml", re.search(r"<h[3-6][^>]*>\s*Model details", s) is not None, "### heading")
expect("01-raml", re.search(r"<h[4-6][^>]*>\s*Relationship to label smoothing", s) is not None, "#### heading")
expect("01-raml", s.count("<ul") >= 2, "two bullet lists")
expect("01-raml", "<strong>partial credit</strong>" in s, "bold")
expect("01-raml", "<hr" in s, "horizontal rule")
drive = 'href="https://drive.google.com/file/d/0B3Rdm_P3VbRDVUQ4SVBRYW82dU0/view"'
expect("01-raml", s.count(drive) == 2, "both reference links resolved")
expect("01-raml", "80^80K" in text_outside_math(s), "80^80K stays text")

s = summary_html("1907.03976")
expect("02-drex", re.search(r"<h4[^>]*>\s*General Framework", s) is not None, "## heading")
expect("02-drex", s.count("<ul") == 2 and s.count("<li>") >= 5, "* bullet lists")
link = re.search(r'<a [^>]*href="([^"]*bibtexKey=journals/corr/1904\.06387[^"]*)"', s)
expect("02-drex", link is not None and "a=muntermulehitch" in link.group(1), "T-REX permalink kept")

s = summary_html("2102.09475")
expect("03-latent-shift", "<mfrac>" in s, "inline \\frac")
for img in ["iuZGUTH.gif", "V3PCgXZ.png", "DBki84c.gif", "kFfQNKD.gif", "TlUBhzL.png"]:
    expect("03-latent-shift", re.search(r'<img [^>]*src="https://i\.imgur\.com/' + re.escape(img), s) is not None, "image " + img)
quotes = re.findall(r"<blockquote>.*?</blockquote>", s, re.S)
expect("03-latent-shift", len(quotes) == 2 and all("±" in q for q in quotes), "two block quotes with ±")
expect("03-latent-shift", "<ul" in s, "a list")
expect("03-latent-shift", 'href="https://mlmed.org/gifsplanation/"' in s, "bare URL as a link")

s = summary_html("2104.11178")
expect("04-vatt", "<ul" in s, "a list")
expect("04-vatt", "S^2" in text_outside_math(s) and "<math" not in s, "S^2 as text")

s = summary_html("1603.08507")
expect("05-visual-explanations", re.search(r'<img [^>]*src="https://i\.imgur\.com/tta2qDp\.png"', s) is not None, "bare image URL")
expect("05-visual-explanations", "<em>introspection</em>" in s, "italics")
expect("05-visual-explanations", "<mi>C</mi>" in s, "inline $C$")

_, _, home = get("/?list=recent")


expect("home", home.count("<article") >= 5, "lists the five summaries")

if failures:
    print(f"{len(failures)} seed checks failed", file=sys.stderr)
    sys.exit(1)
