"""thidua's own package: the settings at the bottom of the layers, the command line at the top.

The layers, each importing only from the ones below it (tests/test_layering.py checks every
import, lazy ones inside functions included):

    thidua.cli, thidua.extract_files   the command line and its helpers: may use everything
    crawler                            Scrapy: uses store and extract
    store                              models, migrations, reads and writes: uses extract
    extract                            article text → record
    thidua.settings                    the one settings object: imports nothing of the project

Settings sit in this package rather than in a new top-level one because the top level is fixed
(crawler/ extract/ store/ thidua/ bench/ tests/), and inside store/ or extract/ they would make
the crawler's proxy and delays a concern of the database or of the extractor. For
`import thidua.settings` to load nothing of the command line, this file imports nothing: keep
it that way (the layering test fails otherwise).
"""
