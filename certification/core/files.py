"""Private files (training material, certificates, invoices) sent to the people allowed them."""

from typing import IO

from django.http import FileResponse, HttpResponseBase


def private(response: HttpResponseBase) -> HttpResponseBase:
    """No shared cache keeps the file and no browser guesses another type than the one sent."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def private_file_response(
    file: IO[bytes], *, filename: str, content_type: str, as_attachment: bool = True
) -> FileResponse:
    """Stream `file` to its one permitted reader, as a download by default."""
    response = FileResponse(
        file, as_attachment=as_attachment, filename=filename, content_type=content_type
    )
    private(response)
    return response
