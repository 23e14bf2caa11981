"""fundsite: a static-site generator for Thai local health security fund portals.

The pipeline, one package per stage: ``load`` → ``validate`` → ``plan`` → ``render`` →
``write`` → ``index``.
"""

__version__ = "0.1.0"
