"""Reports and figures as a user meets them: the design report and the reproduction report produced by the CLI
and loaded in headless Chromium (no console errors, every figure rendered), figures built without pyplot,
``show --format``, and the objects' HTML and short reprs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
#: Added to a copy of the page under test (the shipped pages hold no scripts): after the load event it counts
#: the figures and those that did not render (an <img> that did not decode, an inline <svg> with no size).
PROBE = """<script>window.addEventListener('load', function () {
  var imgs = Array.from(document.images), svgs = Array.from(document.querySelectorAll('figure svg'));
  var bad = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); }).length;
  var empty = svgs.filter(function (s) { var b = s.getBoundingClientRect(); return !(b.width > 0 && b.height > 0); }).length;
  document.body.setAttribute('data-probe', JSON.stringify({images: imgs.length, bad_images: bad, svgs: svgs.length, empty_svgs: empty}));
});</script>"""


def browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("SOLIDSTACK_REQUIRE_BROWSER"):
        pytest.fail("no Chromium found (CI installs Debian's chromium in .ci/run)")
    pytest.skip("no Chromium on this machine (CI installs it: .ci/run)")


def load_in_chromium(page: Path, tmp_path: Path) -> tuple[dict, list[str]]:
    """Load ``page`` (with the probe) in headless Chromium; return the probe's counts and every console line."""
    probed = page.with_name(f".probe-{page.name}")
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    profile = tmp_path / f"chromium-profile-{page.stem}"
    cmd = [browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
           f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000",
           "--dump-dom", probed.as_uri()]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    probed.unlink()
    assert r.returncode == 0, r.stderr[-2000:]
    m = re.search(r"data-probe=\"([^\"]*)\"", r.stdout)
    assert m, "the page did not finish loading (no probe result in the DOM)"
    counts = json.loads(m.group(1).replace("&quot;", '"'))
    console = [line for line in r.stderr.splitlines() if ":CONSOLE" in line]
    return counts, console


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "solidstack.cli", *args], capture_output=True, text=True)


def test_the_browser_check_can_fail(tmp_path):
    # a page with a broken image and a script error: the check must see both
    page = tmp_path / "bad.html"
    page.write_text("<!doctype html><html><head><title>t</title></head><body><figure><img src='missing.png'></figure>"
                    "<script>console.error('boom'); notDefined();</script></body></html>")
    counts, console = load_in_chromium(page, tmp_path)
    assert counts["images"] == 1 and counts["bad_images"] == 1
    assert any("boom" in line for line in console) and any("notDefined" in line for line in console)


def test_design_report_of_example_4_with_simulation_loads_in_chromium(tmp_path):
    out = tmp_path / "d"
    r = cli("report", "example-4", "--simulate", "--cycles", "2", "--out", str(out))
    assert r.returncode == 0, r.stderr
    names = {p.name for p in out.iterdir()}
    for fig in ("breakdown", "voltage", "capacity", "retention", "losses"):
        assert {f"{fig}.svg", f"{fig}.png"} <= names
    # 300 dpi PNG: a 6.4 in wide figure is 1920 px wide (PNG header: width at bytes 16-20)
    width = int.from_bytes((out / "voltage.png").read_bytes()[16:20], "big")
    assert width == 6.4 * 300
    html = (out / "report.html").read_text()
    for section in ("1. Stack", "2. What each layer costs", "3. Eligibility", "4. Claim chart", "5. Cycling", "Sources"):
        assert section in html
    assert "Example 4" in html and "Wh/kg" in html and "src=\"http" not in html and "src='http" not in html
    counts, console = load_in_chromium(out / "report.html", tmp_path)
    assert console == []
    assert counts["svgs"] == 5 and counts["empty_svgs"] == 0 and counts["bad_images"] == 0


def test_reproduction_report_loads_in_chromium_and_reads_well(tmp_path):
    out = tmp_path / "r"
    r = cli("reproduce", "--out", str(out))
    assert r.returncode == 0, r.stderr
    html = (out / "report.html").read_text()
    # FIG. 7-11 in order, each as SVG and PNG
    assert [int(n) for n in re.findall(r"<figcaption>FIG\. (\d+)", html)] == [7, 8, 9, 10, 11]
    assert all((out / f"fig{n}.{ext}").is_file() for n in range(7, 12) for ext in ("svg", "png"))
    # readable table: words, not pandas' dump
    table = html[html.index("Published and simulated numbers"):html.index("<h2>Figures")]
    for raw in ("True", "False", "NaN", "charge_plateau_V", "depends_on"):
        assert raw not in table
    assert "predicted" in table and "fitted (calibration)" in table
    # every miss is highlighted, and only misses
    rows = re.findall(r"<tr( class='miss')?>(.*?)</tr>", table)
    assert rows and all(("NO" in body) == bool(miss) for miss, body in rows)
    counts, console = load_in_chromium(out / "report.html", tmp_path)
    assert console == []
    assert counts["svgs"] == 5 and counts["empty_svgs"] == 0


def test_fig8_and_fig9_show_all_six_cells_and_the_plateaus_are_marked(tmp_path):
    from solidstack.report.figures import reproduction_figures
    from solidstack.studies.reproduce import reproduce

    rep = reproduce(cells=("example-1", "example-4", "comparative"), cycles=2)
    figs = reproduction_figures(rep)
    assert list(figs) == ["fig7", "fig8", "fig9", "fig10", "fig11"]
    for name in ("fig8", "fig9"):
        labels = [t.get_text() for t in figs[name].axes[0].get_legend().get_texts()]
        assert {"Example 1", "Example 4", "Comparative Example"} <= set(labels)
        ticks = figs[name].axes[0].get_xticks()
        assert all(float(t).is_integer() for t in ticks)
    # the patent's stated plateaus: 3.7 V (Example 1, [0103]) on FIG. 7; Example 4 3.7 V and Comparative 3.1 V on FIG. 10
    ys = {round(line.get_ydata()[0], 2) for line in figs["fig10"].axes[0].get_lines() if line.get_linestyle() == ":"}
    assert ys == {3.7, 3.1}


def test_figures_do_not_touch_pyplot_or_the_backend():
    code = (
        "import sys, matplotlib; before = matplotlib.get_backend()\n"
        "from solidstack.sim import simulate\nfrom solidstack.stack import load_preset\n"
        "r = simulate(load_preset('example-4'), cycles=1)\n"
        "f = r.plot_voltage(); g = r.plot_capacity(); h = r.plot_retention()\n"
        "from matplotlib.figure import Figure\n"
        "assert all(isinstance(x, Figure) for x in (f, g, h))\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
        "assert matplotlib.get_backend() == before\n"
        "png = f._repr_png_(); assert png[:8] == b'\\x89PNG\\r\\n\\x1a\\n'\n"
        "print('ok')\n"
    )
    env = {**os.environ, "MPLBACKEND": "svg"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


def test_show_formats():
    md = cli("show", "example-1", "--format", "markdown")
    assert md.returncode == 0, md.stderr
    assert md.stdout.startswith("# Example 1") and "| # | layer | material |" in md.stdout
    js = cli("show", "example-1", "--format", "json")
    data = json.loads(js.stdout)
    # Example 1 (patent [0094]-[0095]): 7 layers, collector to collector; layer masses add up to the total
    assert len(data["layers"]) == 7 and data["layers"][0]["role"] == "collector"
    assert sum(la["mass_mg"] for la in data["layers"]) == pytest.approx(data["mass_mg"], rel=1e-9)
    bad = cli("show", "example-1", "--format", "xml")
    assert bad.returncode == 2 and bad.stderr.strip() == "error: --format: 'xml' is not one of table, json, markdown"


def test_reprs_are_short_and_html_is_escaped():
    from solidstack.materials import catalog
    from solidstack.metrics import breakdown
    from solidstack.stack import load_preset

    s = load_preset("example-1")
    assert repr(s).startswith("<Stack 'Example 1': Li+, 7 layers") and len(repr(s)) < 120
    assert repr(breakdown(s)).startswith("<StackBreakdown 'Example 1'")
    assert repr(catalog.metal("In")) == "<Metal In: Indium, elongation 22 %>"
    evil = s.replace(name="<script>alert(1)</script>", description="a & b")
    page = evil._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page and "a &amp; b" in page
    assert "<td>" in catalog.metal("In")._repr_html_()


def test_design_report_api_escapes_user_strings_and_cites_sources(tmp_path):
    from solidstack.report import design_report
    from solidstack.stack import load_preset

    s = load_preset("example-1").replace(name="<b>cell & co</b>", description="<img src=x onerror=alert(1)>")
    rep = design_report(s)
    assert "<b>cell" not in rep.html and "&lt;b&gt;cell &amp; co&lt;/b&gt;" in rep.html
    assert "<img src=x" not in rep.html
    assert list(rep.figures) == ["breakdown"] and rep.result is None
    # sources: the patent and the knowledge base's citations (In's elongation is the patent's own [0038])
    refs = rep.html[rep.html.index("<h2>Sources"):]
    assert "US 2016/0233553 A1" in refs and refs.count("<li>") >= 5
    paths = rep.write(tmp_path / "d")
    assert {p.name for p in paths} == {"breakdown.svg", "breakdown.png", "report.html"}
