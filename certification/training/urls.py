"""Course types, training centres, trainers, courses and attendees of certified
organisations: /dashboard/organisations/<slug>/…"""

from django.urls import path

from certification.training.views import attendees, course_types, courses

app_name = "training"

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
    path(COURSE_TYPES, course_types.course_type_list, name="organisation_course_types"),
    path(COURSE_TYPES + "new/", course_types.course_type_create, name="course_type_create"),
    path(COURSE_TYPE, course_types.course_type_detail, name="course_type_detail"),
    path(COURSE_TYPE + "edit/", course_types.course_type_edit, name="course_type_edit"),
    path(COURSE_TYPE + "propose/", course_types.course_type_propose, name="course_type_propose"),
    path(COURSE_TYPE + "materials/", course_types.material_add, name="course_type_material_add"),
    path(
        COURSE_TYPE + "materials/<uuid:public_id>/",
        course_types.material_download,
        name="course_type_material",
    ),
    path(
        COURSE_TYPE + "materials/<uuid:public_id>/remove/",
        course_types.material_remove,
        name="course_type_material_remove",
    ),
    # Training centres and trainers: owners and managers.
    path(CENTRES, courses.training_centre_list, name="training_centres"),
    path(CENTRES + "new/", courses.training_centre_create, name="training_centre_create"),
    path(CENTRE + "edit/", courses.training_centre_edit, name="training_centre_edit"),
    path(CENTRE + "delete/", courses.training_centre_delete, name="training_centre_delete"),
    path(TRAINERS, courses.trainer_list, name="trainers"),
    path(TRAINERS + "new/", courses.trainer_create, name="trainer_create"),
    path(TRAINER + "edit/", courses.trainer_edit, name="trainer_edit"),
    path(TRAINER + "delete/", courses.trainer_delete, name="trainer_delete"),
    # Courses: owners and managers; trainers see the courses they teach.
    path(COURSES, courses.course_list, name="organisation_courses"),
    path(COURSES + "new/", courses.course_create, name="course_create"),
    path(COURSE, courses.course_detail, name="course_detail"),
    path(COURSE + "edit/", courses.course_edit, name="course_edit"),
    path(COURSE + "delete/", courses.course_delete, name="course_delete"),
    # Attendees: owners, managers and the course's trainers.
    path(ATTENDEES + "new/", attendees.attendee_add, name="attendee_add"),
    path(ATTENDEES + "import/", attendees.attendee_import_upload, name="attendee_import"),
    path(
        ATTENDEES + "import/confirm/",
        attendees.attendee_import_confirm,
        name="attendee_import_confirm",
    ),
    path(
        ATTENDEES + "import/template.csv",
        attendees.attendee_import_template,
        name="attendee_import_template",
    ),
    path(ATTENDEES + "export.csv", attendees.attendee_export_csv, name="attendee_export_csv"),
    path(ATTENDEES + "export.xlsx", attendees.attendee_export_xlsx, name="attendee_export_xlsx"),
    path(ATTENDEE + "edit/", attendees.attendee_edit, name="attendee_edit"),
    path(ATTENDEE + "remove/", attendees.attendee_remove, name="attendee_remove"),
]
