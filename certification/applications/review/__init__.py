"""The reviewers' workspace, /review/…: the certification team, the PSC and the user group
reviewers (and outside reviewers, by invitation) review applications and manage user groups.

`views`, `forms` and `urls` are its pages; `queries` its reads. Its state changes are the
review side of `applications/services.py`. The workspace also shows two pages that live beside
what they change: `organisations/review/` and `training/review/`, included by `urls`.
"""
