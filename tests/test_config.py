import pytest

from portal import create_app
from portal.config import config_class, normalise_database_url, resolve_secret_key


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@db:5432/portal", "postgresql+psycopg://u:p@db:5432/portal"),
        ("postgres://u@db/portal", "postgresql+psycopg://u@db/portal"),
        ("postgresql+psycopg://u@db/portal", "postgresql+psycopg://u@db/portal"),
        ("sqlite:////tmp/portal.sqlite3", "sqlite:////tmp/portal.sqlite3"),
    ],
    ids=["postgresql", "postgres", "already-psycopg", "sqlite"],
)
def test_postgresql_urls_use_psycopg_3(given, expected):
    assert normalise_database_url(given) == expected


def test_config_is_chosen_by_portal_config(monkeypatch):
    monkeypatch.setenv("PORTAL_CONFIG", "testing")
    assert config_class(None).TESTING is True
    monkeypatch.delenv("PORTAL_CONFIG")
    assert config_class(None).__name__ == "DevelopmentConfig"


def test_unknown_config_name_is_refused():
    with pytest.raises(RuntimeError, match="PORTAL_CONFIG"):
        config_class("staging")


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_takes_secret_key_from_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert create_app("production").config["SECRET_KEY"] == "from-the-environment"


def test_development_key_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = {"PERSIST_GENERATED_SECRET_KEY": True}

    first = resolve_secret_key(config, str(tmp_path))
    second = resolve_secret_key(config, str(tmp_path))

    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_url_from_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db/portal")
    app = create_app("production")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/portal"


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app("testing")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (f"sqlite:///{app.instance_path}/portal.sqlite3")
