"""The checks, one module per article (``art_4_5.py`` holds art. 4.5); the
ordered list of all of them is ``rules.registry.ALL_RULES``."""
