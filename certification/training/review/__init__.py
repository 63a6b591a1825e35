"""The certification team's review of the course types that certified organisations propose.

These pages belong to the reviewers' workspace (/review/course-types/…), which
`applications/review/urls.py` assembles; their URL names are therefore `review:…`.
"""
