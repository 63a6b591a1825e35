"""The training pages of an organisation's members, under /dashboard/organisations/<slug>/.

One module per part: `course_types` (curricula, their material and proposals), `courses`
(training centres, trainers and courses) and `attendees` (the people on a course: added one
by one, imported from CSV, exported).
"""
