"""The applicant's pages, /apply/ and /applications/<code>/…

`application` has the way in and the application's own pages (discussion, withdrawal,
submitted versions); `steps` the steps of filling in a draft, up to its submission.
The reviewers' pages are in `applications/review/`.
"""
