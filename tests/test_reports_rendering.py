"""How the reports are rendered: compiled templates cached per user (issue 11's start-up),
written as a stream (issue 11's memory), printed values escaped and without bidi
controls whatever the path (issue 8's speed moved the stripping to the output)."""
from __future__ import annotations

import re

import pytest
from jinja2 import Environment, FileSystemLoader

from builders import DEFAULT_MEMBERS, D, context_for, form
from syndic_batch.write import releves
from syndic_batch.write.reports import (CHUNK, build_ce_view, compiled, environment, render_report,
                                        stream_report, write_reports)

BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def user_cache(tmp_path, monkeypatch):
    """A fresh per-user cache folder (``XDG_CACHE_HOME``)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("LOCALAPPDATA", raising=False)
    return tmp_path / "cache" / "syndic-batch" / "gabarits"


def _no_compiling(env: Environment) -> Environment:
    def refuse(*args, **kwargs):
        raise AssertionError("template compiled again")
    env.compile = refuse
    return env


@pytest.fixture
def small_ctx(tmp_path):
    members = [dict(m) for m in DEFAULT_MEMBERS]
    members[0]["nom"] = "Amélie \u202eTremblay\u202c"
    rows = [form(), form(matricule="1002", decision_ce=None, date_decision=None, date_reception=D(2026, 4, 1),
                         description="pressé \u2067d’agir\u2069 <b>vite</b>")]
    return context_for(tmp_path / "in", rows, as_of=D(2026, 4, 10), members=members)


def test_templates_are_compiled_once_per_user_then_loaded(user_cache, small_ctx):
    view = build_ce_view(small_ctx, [])
    first = render_report("ce", view, environment())
    cached = sorted(p.name for p in user_cache.iterdir())
    assert len(cached) >= 4 and all(n.endswith(".cache") for n in cached)   # ce, base, _macros, _changements…
    again = render_report("ce", view, _no_compiling(environment()))
    assert again == first
    assert sorted(p.name for p in user_cache.iterdir()) == cached
    # the statements' environment has its own entries (another code generator, other settings)
    env = releves.environment()
    env.get_template("releve.html")
    assert len(list(user_cache.iterdir())) > len(cached)
    _no_compiling(releves.environment()).get_template("releve.html")


def test_an_unwritable_cache_folder_changes_nothing(tmp_path, monkeypatch, small_ctx):
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un dossier")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))     # the cache folder cannot be made under a file
    assert compiled.bytecode_cache("rapports", compiled.__file__) is None
    env = environment()
    assert env.bytecode_cache is None
    assert "<bdi>Amélie Tremblay</bdi>" in render_report("ce", build_ce_view(small_ctx, []), env)


def test_a_cache_entry_becomes_stale_when_its_template_or_the_generator_changes(tmp_path):
    folder = tmp_path / "gabarits"
    (folder / "t").mkdir(parents=True)
    (folder / "cache").mkdir()
    source = folder / "t" / "page.html"
    source.write_text("<p>{{ x }}</p>", encoding="utf-8")

    def env(salt_file):
        return Environment(loader=FileSystemLoader(str(folder / "t")), autoescape=True,
                           bytecode_cache=compiled._UserCache(folder / "cache", salt_file))

    assert env("v1").get_template("page.html").render(x="<a>") == "<p>&lt;a&gt;</p>"
    _no_compiling(env("v1")).get_template("page.html")                    # same source, same salt: loaded
    source.write_text("<div>{{ x }}</div>", encoding="utf-8")
    assert env("v1").get_template("page.html").render(x=1) == "<div>1</div>"   # edited: compiled again
    with pytest.raises(AssertionError, match="compiled again"):
        _no_compiling(env("v2")).get_template("page.html")                # another generator: not reused


def test_printed_values_are_escaped_and_lose_their_bidi_controls_on_every_path():
    env = environment()
    template = env.from_string('<p title="{{ t }}">{{ x }} {{ n }} {{ y|bdi }}</p>')
    values = dict(t="a\u202eb\"", x="<i>\u2066c\u2069</i>", n=3, y="d\u202ae")
    expected = '<p title="ab&#34;">&lt;i&gt;c&lt;/i&gt; 3 <bdi>de</bdi></p>'
    assert template.render(**values) == expected
    assert "".join(template.generate(**values)) == expected


def test_the_report_file_is_written_as_a_stream_equal_to_the_rendered_text(tmp_path, small_ctx):
    paths = write_reports(small_ctx, [], tmp_path / "rapports")
    assert [p.name for p in paths] == ["ce.html", "cs.html", "ag.html"]
    view = build_ce_view(small_ctx, [])
    text = paths[0].read_text(encoding="utf-8")
    assert text == render_report("ce", view)
    assert not BIDI.search(text)
    assert "pressé d’agir &lt;b&gt;vite&lt;/b&gt;" in text
    assert not [p for p in (tmp_path / "rapports").iterdir() if p.name.startswith(".syndic-batch-tmp")]
    # pieces of about CHUNK characters, not one string
    pieces = list(stream_report("ce", view))
    assert len(pieces) >= len(text) // CHUNK and all(len(p) < 2 * CHUNK for p in pieces[:-1] if len(pieces) > 1)
    assert "".join(pieces) == text
