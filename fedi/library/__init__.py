"""A space's shared library: documents uploaded into folders, their versions, who may fetch them."""
