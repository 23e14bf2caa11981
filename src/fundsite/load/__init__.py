"""Stage 1 of the pipeline: files → raw records with source positions."""

from fundsite.load.files import LoadResult, RawRecord, load_site

__all__ = ["LoadResult", "RawRecord", "load_site"]
