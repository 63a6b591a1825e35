"""Course types, training centres, trainers, courses and attendees of certified
organisations: /dashboard/organisations/<slug>/…"""

from django.urls import path

from certification.training import views, views_attendees, views_courses

COURSE_TYPES = "dashboard/organisations/<slug:slug>/course-types/"
COURSE_TYPE = COURSE_TYPES + "<int:pk>/"
CENTRES = "dashboard/organisations/<slug:slug>/training-centres/"
CENTRE = CENTRES + "<uuid:public_id>/"
TRAINERS = "dashboard/organisations/<slug:slug>/trainers/"
TRAINER = TRAINERS + "<uuid:public_id>/"
COURSES = "dashboard/organisations/<slug:slug>/courses/"
COURSE = COURSES + "<uuid:public_id>/"
ATTENDEES = COURSE + "attendees/"
ATTENDEE = ATTENDEES + "<uuid:attendee_id>/"

urlpatterns = [
    path(COURSE_TYPES, views.course_type_list, name="organisation_course_types"),
    path(COURSE_TYPES + "new/", views.course_type_create, name="course_type_create"),
    path(COURSE_TYPE, views.course_type_detail, name="course_type_detail"),
    path(COURSE_TYPE + "edit/", views.course_type_edit, name="course_type_edit"),
    path(COURSE_TYPE + "propose/", views.course_type_propose, name="course_type_propose"),
    path(COURSE_TYPE + "materials/", views.material_add, name="course_type_material_add"),
    path(
        COURSE_TYPE + "materials/<uuid:public_id>/",
        views.material_download,
        name="course_type_material",
    ),
    path(
        COURSE_TYPE + "materials/<uuid:public_id>/remove/",
        views.material_remove,
        name="course_type_material_remove",
    ),
    # Training centres and trainers: owners and managers.
    path(CENTRES, views_courses.training_centre_list, name="training_centres"),
    path(CENTRES + "new/", views_courses.training_centre_create, name="training_centre_create"),
    path(CENTRE + "edit/", views_courses.training_centre_edit, name="training_centre_edit"),
    path(CENTRE + "delete/", views_courses.training_centre_delete, name="training_centre_delete"),
    path(TRAINERS, views_courses.trainer_list, name="trainers"),
    path(TRAINERS + "new/", views_courses.trainer_create, name="trainer_create"),
    path(TRAINER + "edit/", views_courses.trainer_edit, name="trainer_edit"),
    path(TRAINER + "delete/", views_courses.trainer_delete, name="trainer_delete"),
    # Courses: owners and managers; trainers see the courses they teach.
    path(COURSES, views_courses.course_list, name="organisation_courses"),
    path(COURSES + "new/", views_courses.course_create, name="course_create"),
    path(COURSE, views_courses.course_detail, name="course_detail"),
    path(COURSE + "edit/", views_courses.course_edit, name="course_edit"),
    path(COURSE + "delete/", views_courses.course_delete, name="course_delete"),
    # Attendees: owners, managers and the course's trainers.
    path(ATTENDEES + "new/", views_attendees.attendee_add, name="attendee_add"),
    path(ATTENDEES + "import/", views_attendees.attendee_import_upload, name="attendee_import"),
    path(
        ATTENDEES + "import/confirm/",
        views_attendees.attendee_import_confirm,
        name="attendee_import_confirm",
    ),
    path(
        ATTENDEES + "import/template.csv",
        views_attendees.attendee_import_template,
        name="attendee_import_template",
    ),
    path(ATTENDEES + "export.csv", views_attendees.attendee_export_csv, name="attendee_export_csv"),
    path(
        ATTENDEES + "export.xlsx", views_attendees.attendee_export_xlsx, name="attendee_export_xlsx"
    ),
    path(ATTENDEE + "edit/", views_attendees.attendee_edit, name="attendee_edit"),
    path(ATTENDEE + "remove/", views_attendees.attendee_remove, name="attendee_remove"),
]
