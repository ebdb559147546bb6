"""Evidence documents: checked (type, size, viruses), stored outside the web root, served as attachments.

kinds.py judges a file's type from its bytes; scanning.py asks clamd; storage.py keeps
the bytes (filesystem or S3); service.py is every read and write of the feature. The
routes live with the evidence they belong to (portal/evidence/views.py) and the closure
pack (portal/closure/pack.py). docs/documents.md.
"""
