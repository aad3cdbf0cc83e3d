from app import create_app


def test_create_app_without_overrides_is_not_testing(tmp_path, monkeypatch):
    monkeypatch.setenv("AGORA_INSTANCE_PATH", str(tmp_path))
    app = create_app()
    assert app.testing is False
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith(str(tmp_path / "agora.db")) or (
        app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    )
    # A secret key was generated into the instance folder and is reused.
    key = (tmp_path / "secret_key").read_text()
    assert app.config["SECRET_KEY"] == key
    assert create_app().config["SECRET_KEY"] == key


def test_testing_overrides_apply(app):
    assert app.testing is True
