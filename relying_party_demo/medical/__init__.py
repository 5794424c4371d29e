"""Medical data: organizations, doctors, patients and their electronic cards."""
