"""Family outcomes portal: Flask application factory."""

from pathlib import Path

# templates/ and migrations/ live at the top of the repository, beside portal/.
REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_FOLDER = REPO_ROOT / "templates"
MIGRATIONS_FOLDER = REPO_ROOT / "migrations"


def create_app(config_name=None, overrides=None):
    """Build the app.

    config_name: "development", "testing" or "production"; defaults to the
    PORTAL_CONFIG environment variable, then "development".
    overrides: mapping applied after the config class (tests use it to point
    at their own database).
    """
    # Imported here so that `import portal.rules` (the rules CLI, rule tests)
    # does not load SQLAlchemy, WTForms and the other extensions.
    from flask import Flask

    from . import config as portal_config

    app = Flask(__name__, instance_relative_config=True, template_folder=str(TEMPLATE_FOLDER))
    app.config.from_object(portal_config.config_class(config_name))
    app.config["SECRET_KEY"] = portal_config.resolve_secret_key(app.config, app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = portal_config.resolve_database_url(app.instance_path)
    app.config.update(overrides or {})
    app.config["SQLALCHEMY_DATABASE_URI"] = portal_config.normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    from .pg_connections import engine_options

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    if app.config["TRUSTED_PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    _init_templates(app)
    _init_extensions(app)
    _register_blueprints(app)
    from .demo import demo_command

    app.cli.add_command(demo_command)
    from .dbroles import grant_app_role_command

    app.cli.add_command(grant_app_role_command)
    from . import jobs

    jobs.init_app(app)
    from . import notify

    notify.init_app(app)
    from .admin.cli import create_admin_command

    app.cli.add_command(create_admin_command)
    return app


def _init_templates(app):
    from govuk_frontend_wtf.main import WTFormsHelpers

    from . import templating
    from .templating import PortalTemplate, build_loader, check_page_template

    app.jinja_env.template_class = PortalTemplate  # before any template is loaded
    app.jinja_loader = build_loader(app.template_folder)
    check_page_template(app.jinja_loader, app.jinja_env)
    WTFormsHelpers(app)
    app.context_processor(lambda: {"service_name": app.config["SERVICE_NAME"]})
    templating.init_app(app)
    from .uktime import uk_text, uk_when

    app.add_template_filter(uk_text, "uk_time")
    app.add_template_filter(uk_when, "uk_when")


def _init_extensions(app):
    # Importing the models registers their tables on db.metadata, which
    # Flask-Migrate's autogenerate compares against the database.
    from . import (
        boundaries,
        errors,
        flashes,
        models,  # noqa: F401
        navigation,
        ratelimit,
        requestlog,
        security,
    )
    from .auth import first_password, kept_forms, sessions
    from .extensions import csrf, db, login_manager, migrate

    requestlog.init_app(app)  # first: every later step may log or audit with the request id
    db.init_app(app)
    # The <id:...> converter (before any blueprint), and the input check, which must run
    # before any other step reads the request (kept forms look the path up in the database).
    boundaries.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_FOLDER))
    csrf.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)
    ratelimit.init_app(app)
    sessions.init_app(app)
    first_password.init_app(app)
    errors.init_app(app)
    kept_forms.init_app(app)
    navigation.init_app(app)
    flashes.init_app(app)


def _register_blueprints(app):
    from . import admin, auditlog, auth, closure, evidence, families, jobpages, main, notify, todo

    for feature in (main, auth, admin, families, evidence, auditlog, closure, jobpages, notify, todo):
        app.register_blueprint(feature.bp)
    from .account import bp as account_bp

    app.register_blueprint(account_bp)
    from .claims import bp as claims_bp

    app.register_blueprint(claims_bp)
