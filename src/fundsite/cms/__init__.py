"""The form editor: Decap CMS, configured from the models, served under ``/admin/`` only.

:mod:`.config` generates its configuration; :mod:`.admin` writes the editor's files (the
vendored bundle, its page and configuration) for ``fundsite build`` and ``fundsite serve``.
"""

DECAP_VERSION = "3.16.3"
