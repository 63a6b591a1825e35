"""The certification team's oversight of organisations: suspend, archive, reinstate.

These pages belong to the reviewers' workspace (/review/organisations/…), which
`applications/review/urls.py` assembles; their URL names are therefore `review:…`.
"""
