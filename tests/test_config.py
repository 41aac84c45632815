"""The configuration: the example loads, unknown keys and wrong types are named, secrets hidden."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import (
    _EXTRA_TABLES,
    Secret,
    Table,
    default_config,
    load_config,
    register_table,
)
from briefings.errors import ConfigError
from briefings.geo import DEFAULT_THEATRES

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config" / "sitrep.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "sitrep.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_example_configuration_loads() -> None:
    config = load_config(EXAMPLE, env={})
    assert config.store.url.startswith("sqlite+aiosqlite:///")
    assert config.store.url.endswith("config/sitrep.db")
    assert config.render.sections == ("frontline", "forces", "policy", "quotes")
    assert config.render.max_items == ()  # the defaults, which fit one message
    assert config.ingest.max_bytes == 5_242_880
    assert config.discord.token is None
    assert config.webhook.username == "sitrep"


def test_every_key_of_the_example_is_documented() -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if "=" not in line or line.lstrip().startswith(("#", "[")):
            continue
        block = []
        j = i - 1
        while j >= 0 and lines[j].strip():
            block.append(lines[j].strip())
            j -= 1
        assert "#" in line or any(b.startswith("#") for b in block), f"undocumented: {line}"


def test_empty_file_gives_defaults_relative_to_the_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""), env={})
    assert config.store.url == f"sqlite+aiosqlite:///{tmp_path.resolve() / 'sitrep.db'}"
    assert config.articles == ()


def test_unknown_key_is_named_with_the_file(tmp_path: Path) -> None:
    p = write(tmp_path, '[render]\nsection = ["quotes"]\n')
    with pytest.raises(ConfigError) as exc:
        load_config(p, env={})
    message = str(exc.value)
    assert str(p.resolve()) in message
    assert "[render] section" in message
    assert "unknown key" in message


def test_unknown_table_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[stor\]: unknown table"):
        load_config(write(tmp_path, '[stor]\nurl = "sqlite:///x.db"\n'), env={})


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[ingest]\nmax_bytes = 'big'\n", "[ingest] max_bytes: must be an integer"),
        ("[ingest]\nmax_bytes = 0\n", "[ingest] max_bytes: must be at least 1"),
        ("[ingest]\nmax_bytes = true\n", "[ingest] max_bytes: must be an integer"),
        ("[render]\nsections = ['weather']\n", "unknown section 'weather'"),
        ("[render.max_items]\nquotes = -1\n", "[render.max_items] quotes: must be at least 1"),
        ("[render.max_items]\nweather = 3\n", "[render.max_items] weather: unknown section"),
        ("[render]\ntemplates = 'nowhere'\n", "[render] templates: no such folder"),
        ("[store]\nurl = 'mysql://x/y'\n", "[store] url: unsupported database"),
        ("[discord]\nguild_ids = ['abc']\n", "[discord] guild_ids: must be a Discord id"),
        ("[discord]\nadmin_channel = -4\n", "[discord] admin_channel: must be a Discord id"),
        ("[webhook]\nurl = 'ftp://x'\n", "[webhook] url: must be an http(s) URL"),
        ("[[articles]]\ntitle = 'x'\n", "[articles #1] path: missing"),
        ("[[articles]]\npath = 'a.txt'\npublished = 'soon'\n", "published: must be a date"),
        ("articles = 3\n", "[[articles]]: must be an array"),
        ("[sources]\nfolders = 'x'\n", "[sources] folders: must be a list"),
        ("[store\n", "not valid TOML"),
    ],
)
def test_bad_values_are_named(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, text), env={})
    assert fragment in str(exc.value)
    assert str(exc.value).startswith(str(tmp_path.resolve() / "sitrep.toml"))


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "absent.toml", env={})


def test_token_only_from_the_environment_and_hidden(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DISCORD_TOKEN"):
        load_config(write(tmp_path, "[discord]\ntoken = 'abc'\n"), env={})
    config = load_config(write(tmp_path, ""), env={"DISCORD_TOKEN": "very-secret-token"})
    assert config.discord.token is not None
    assert config.discord.token.value == "very-secret-token"
    assert "very-secret-token" not in repr(config)
    assert "very-secret-token" not in str(config.discord.token)
    assert "very-secret-token" not in repr(Secret("very-secret-token"))


def test_webhook_url_from_the_environment_wins_and_is_hidden(tmp_path: Path) -> None:
    p = write(tmp_path, "[webhook]\nurl = 'https://example.invalid/a'\n")
    config = load_config(p, env={"SITREP_WEBHOOK_URL": "https://example.invalid/secret"})
    assert config.webhook.url is not None
    assert config.webhook.url.value == "https://example.invalid/secret"
    assert "secret" not in repr(config)


def test_articles_and_sources_resolve_relative_to_the_file(tmp_path: Path) -> None:
    text = (
        "[sources]\nfolders = ['arts']\nfiles = ['/abs/one.txt']\n"
        "[[articles]]\npath = 'a.txt'\ntitle = 'T'\npublished = 2024-11-20\n"
    )
    config = load_config(write(tmp_path, text), env={})
    assert config.sources.folders == (tmp_path.resolve() / "arts",)
    assert config.sources.files == (Path("/abs/one.txt"),)
    (entry,) = config.articles
    assert entry.path == tmp_path.resolve() / "a.txt"
    assert entry.published is not None and entry.published.isoformat() == "2024-11-20"


def test_store_urls_are_made_async(tmp_path: Path) -> None:
    c = load_config(write(tmp_path, "[store]\nurl = 'postgresql://u@h/db'\n"), env={})
    assert c.store.url == "postgresql+asyncpg://u@h/db"
    c = load_config(write(tmp_path, "[store]\nurl = 'sqlite:////abs/x.db'\n"), env={})
    assert c.store.url == "sqlite+aiosqlite:////abs/x.db"


def test_registered_tables_are_parsed_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.config._EXTRA_TABLES", dict(_EXTRA_TABLES))

    def parse_thing(t: Table) -> str:
        return t.text("name") or "?"

    register_table("thing", parse_thing, array=True)
    config = load_config(write(tmp_path, "[[thing]]\nname = 'a'\n[[thing]]\nname = 'b'\n"), env={})
    assert config.table("thing") == ("a", "b")
    with pytest.raises(ConfigError, match=r"\[thing #1\] nam: unknown key"):
        load_config(write(tmp_path, "[[thing]]\nnam = 'a'\n"), env={})


def test_default_config_without_a_file(tmp_path: Path) -> None:
    config = default_config({}, folder=tmp_path)
    assert config.path is None
    assert config.store.url.endswith("sitrep.db")


# ---------------------------------------------------------------- [theatres]


def test_theatres_extend_the_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[theatres]\nSudan = ["SD", "ss"]\n'), env={})
    groups = dict(config.theatres.groups)
    assert groups["Sudan"] == frozenset({"SD", "SS"})
    assert groups["Ukraine"] == frozenset({"UA", "RU"})  # the defaults stay
    assert config.theatres.of_country("SS") == "Sudan"


def test_a_configured_country_leaves_its_default_theatre(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[theatres]\nRussia = ["RU"]\n'), env={})
    assert config.theatres.of_country("RU") == "Russia"
    assert config.theatres.of_country("UA") == "Ukraine"
    replaced = load_config(write(tmp_path, '[theatres]\nUkraine = ["UA"]\n'), env={})
    assert replaced.theatres.of_country("RU") == "Russia"


def test_theatres_without_the_defaults(tmp_path: Path) -> None:
    text = '[theatres]\ndefaults = false\nSahel = ["ML", "BF"]\n'
    config = load_config(write(tmp_path, text), env={})
    assert config.theatres.names() == ("Sahel",)
    assert config.theatres.of_country("RU") == "Russia"


def test_no_theatres_table_is_the_defaults(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, ""), env={}).theatres == DEFAULT_THEATRES
    assert load_config(EXAMPLE, env={}).theatres == DEFAULT_THEATRES


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('Sudan = ["XX"]', "[theatres] Sudan: 'XX' is not a country code"),
        ('Sudan = ["SDN"]', "[theatres] Sudan: 'SDN' is not a country code"),
        ('Sudan = "SD"', "[theatres] Sudan: must be a list of strings"),
        ("Sudan = []", "[theatres] Sudan: must list at least one country code"),
        ("Sudan = [12]", "[theatres] Sudan: must be a list of non-empty strings"),
        ('Sudan = ["SD"]\nNile = ["SD"]', "[theatres] Nile: SD is already in the theatre 'Sudan'"),
        ('defaults = "no"', "[theatres] defaults: must be true or false"),
        ("[theatres.Sudan]\ncodes = ['SD']", "[theatres] Sudan: must be a list of strings"),
        (f'"{"x" * 101}" = ["SD"]', "a theatre's name is 1 to 100 characters"),
    ],
)
def test_bad_theatres_are_named_with_the_file_and_key(
    tmp_path: Path, text: str, fragment: str
) -> None:
    body = text if text.startswith("[") else f"[theatres]\n{text}\n"
    p = write(tmp_path, body)
    with pytest.raises(ConfigError) as err:
        load_config(p, env={})
    message = str(err.value)
    assert str(p.resolve()) in message
    assert fragment in message
    assert "\n" not in message


def test_theatres_must_be_a_table(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[theatres\]: must be a table"):
        load_config(write(tmp_path, 'theatres = ["UA"]\n'), env={})
