"""The project's own Scrapy signals (``crawler.signals.connect(handler, signal=…)``)."""

#: Sent by ``StorePipeline`` when the run closes, once its writer has stored (or spooled)
#: every article of the run: what reads the run's articles back from the database, such as
#: learning a site's boilerplate, starts then. Handlers may be coroutines; the store's close
#: waits for them.
run_stored = object()
