"""No admin pages: a family's scores are read on its file, through the gate (§7.6)."""
