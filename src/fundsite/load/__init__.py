"""Stage 1 of the pipeline: files → raw records with source positions."""

from fundsite.load.files import RawRecord, discover, read_record

__all__ = ["RawRecord", "discover", "read_record"]
