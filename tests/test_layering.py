"""Import boundaries: extraction is pure, storage knows nothing of Scrapy, settings are ours."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT


def _python(code: str, *args: str) -> str:
    """Run ``code`` in a fresh interpreter from the repository root; return what it printed."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _modules_loaded_by(module: str) -> set[str]:
    out = _python(f"import sys, {module}; print('\\n'.join(sys.modules))")
    return {name.split(".")[0] for name in out.split()}


@pytest.mark.parametrize(
    "module",
    [
        "ingest.extraction.extract",
        "ingest.extraction.boilerplate",
        "ingest.extraction.paragraphs",
        "ingest.extraction.decode",
        "ingest.extraction.article",
        "ingest.raw",
        "ingest.profiles",
        "ingest.sites.rudaw",
        "ingest.urls",
        # What each spawned extraction worker imports: it must stay this light.
        "ingest.extract_worker",
        "ingest.reextract_worker",
        "ingest.extract_pool",
    ],
)
def test_extraction_imports_neither_scrapy_nor_sqlalchemy(module):
    loaded = _modules_loaded_by(module)
    assert "scrapy" not in loaded
    assert "sqlalchemy" not in loaded


@pytest.mark.parametrize("module", ["ingest.storage.repository", "ingest.storage.migrate"])
def test_storage_does_not_import_scrapy(module):
    assert "scrapy" not in _modules_loaded_by(module)


def test_the_ingest_command_imports_only_what_every_subcommand_needs():
    # Alembic is for `ingest db` alone, pyarrow for Parquet exports: importing them made every
    # `ingest search` take twice as long to start. `ingest --help` needs no database at all.
    assert not _modules_loaded_by("ingest.cli") & {"sqlalchemy", "alembic", "pyarrow"}
    loaded = _modules_loaded_by("ingest.cli_commands")
    assert not loaded & {"alembic", "pyarrow", "scrapy", "twisted", "trafilatura", "warcio"}


def test_a_search_never_loads_the_orm(tmp_path):
    # The read commands query Core tables: sqlalchemy.orm and the mapped classes were a
    # third of a small search's start-up time. A real search on an archive migrated to head,
    # with every module it imported listed at its end.
    from ingest.storage import migrate

    url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    migrate.upgrade(url)
    code = (
        "import sys; from ingest.cli import main;"
        f"status = main(['--db', {url!r}, 'search', 'global coalition', '--limit', '3']);"
        "print('\\n'.join(sys.modules)); sys.exit(status)"
    )
    out = _python(code)
    assert out.startswith("no matches\n")
    loaded = set(out.split())
    assert "ingest.storage.tables" in loaded
    # The defaults come from settings.base, which must not import Scrapy (0.1 s of start-up).
    assert "settings.base" in loaded
    assert not loaded & {"sqlalchemy.orm", "ingest.storage.models", "scrapy", "twisted"}


def test_the_crawl_process_reads_a_workers_answer_without_trafilatura():
    # A worker's answer is unpickled in the crawl process, which imports the module that
    # defines its class: defined beside extract_article, it loaded trafilatura (3.5 MB) into
    # a process that never extracts. A real pool, a real worker, a real page.
    page = REPO_ROOT / "tests" / "fixtures" / "pages" / "wordpress_bootstrap3.html"
    code = (
        "import asyncio, pathlib, sys; from ingest.extract_pool import ExtractionPool;"
        "pool = ExtractionPool(1, 0, print); pool.start();"
        "page = pathlib.Path(sys.argv[1]).read_bytes();"
        "run = pool.run(page, 'text/html', 'https://example.org/news/1', None);"
        "extracted = asyncio.run(run); pool.close();"
        "print(len(extracted.lines)); print('\\n'.join(sys.modules))"
    )
    out = _python(code, str(page))
    lines, *loaded = out.split()
    assert int(lines) > 3
    assert "ingest.extraction.extracted" in loaded
    assert "trafilatura" not in loaded


def test_a_sqlite_archive_never_loads_the_postgresql_dialect():
    code = (
        "import sys; from ingest.storage.session import make_engine;"
        "import ingest.cli_commands, ingest.storage.repository, ingest.storage.stream;"
        "make_engine('sqlite://').connect().close();"
        "print('\\n'.join(sys.modules))"
    )
    out = _python(code)
    loaded = set(out.split())
    assert "sqlalchemy.dialects.sqlite" in loaded
    assert "sqlalchemy.dialects.postgresql" not in loaded
    assert "psycopg" not in loaded


def test_settings_package_is_the_projects_own():
    code = "import settings, pathlib; print(pathlib.Path(settings.__file__).resolve().parent)"
    out = _python(code)
    assert out.strip() == str(REPO_ROOT / "settings")


def test_a_crawl_runs_neither_of_scrapys_consoles():
    # A telnet console and an HTTP server that runs any code it is sent, on by default, and
    # imported by Scrapy even when disabled: aiohttp alone was 10 MB of every crawl process.
    code = (
        "import sys; from scrapy.utils.project import get_project_settings;"
        "from scrapy.utils.reactor import install_reactor;"
        "from scrapy.crawler import Crawler; from ingest.spiders.urls import UrlsSpider;"
        "settings = get_project_settings(); install_reactor(settings['TWISTED_REACTOR']);"
        "crawler = Crawler(UrlsSpider, settings); crawler._apply_settings();"
        "print('\\n'.join(type(e).__name__ for e in crawler.extensions.middlewares));"
        "print('\\n'.join(sys.modules))"
    )
    out = _python(code)
    loaded = set(out.split())
    assert {"CoreStats", "LogStats", "CrawlRunRecorder"} <= loaded
    assert not loaded & {"TelnetConsole", "RemoteControl", "aiohttp", "twisted.conch"}


def test_the_crawls_extensions_are_scrapys_own_but_the_consoles():
    # settings.base lists them by hand so that it need not import Scrapy; a Scrapy release
    # that adds, drops or reorders one of its defaults shows up here.
    from scrapy.settings import default_settings

    from settings import base

    consoles = {
        "scrapy.extensions.telnet.TelnetConsole",
        "scrapy.extensions.remote_control.RemoteControl",
    }
    expected = {k: v for k, v in default_settings.EXTENSIONS_BASE.items() if k not in consoles}
    assert expected == base.EXTENSIONS_BASE
